package dev.gradwatch.monitor.rules;

import dev.gradwatch.monitor.detect.DetectorConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The names of the detector settings, as the command line, the properties file and the rules file
 * spell them, and the conversion between those names and a {@link DetectorConfig}.
 */
public final class DetectorKeys {

    private DetectorKeys() {
    }

    /** Every detector key with its value in {@code d}, in the order {@code --help} shows them. */
    public static Map<String, String> asMap(DetectorConfig d) {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("window.size", Integer.toString(d.windowSize()));
        k.put("window.slide", Integer.toString(d.windowSlide()));
        k.put("resolve.after-windows", Integer.toString(d.resolveAfterWindows()));
        k.put("flap.within-windows", Integer.toString(d.flapWithinWindows()));
        k.put("flap.max-resolve-windows", Integer.toString(d.flapMaxResolveWindows()));
        k.put("vanishing.floor", Double.toString(d.vanishingFloor()));
        k.put("ratio.floor", Double.toString(d.ratioFloor()));
        k.put("attenuation.floor", Double.toString(d.attenuationFloor()));
        k.put("exploding.ceiling", Double.toString(d.explodingCeiling()));
        k.put("growth.factor", Double.toString(d.growthFactor()));
        k.put("growth.min-norm", Double.toString(d.growthMinNorm()));
        k.put("spike.lookback-steps", Integer.toString(d.spikeLookback()));
        k.put("spike.z", Double.toString(d.spikeZ()));
        k.put("spike.min-ratio", Double.toString(d.spikeMinRatio()));
        k.put("dead-relu.fraction", Double.toString(d.deadFraction()));
        k.put("saturation.fraction", Double.toString(d.saturatedFraction()));
        k.put("update-ratio.min-log10", Double.toString(d.updateRatioMinLog10()));
        k.put("update-ratio.max-log10", Double.toString(d.updateRatioMaxLog10()));
        k.put("loss-spike.z", Double.toString(d.lossSpikeZ()));
        k.put("loss-spike.min-ratio", Double.toString(d.lossSpikeMinRatio()));
        k.put("loss-plateau.min-decrease", Double.toString(d.lossMinDecrease()));
        k.put("loss-plateau.patience-steps", Integer.toString(d.lossPatienceSteps()));
        k.put("divergence.z", Double.toString(d.divergenceZ()));
        k.put("divergence.min-workers", Integer.toString(d.divergenceMinWorkers()));
        return k;
    }

    /** True for the keys {@link #asMap} produces. */
    public static boolean isKey(String key) {
        return asMap(DetectorConfig.DEFAULTS).containsKey(key);
    }

    /**
     * A config from detector keys; missing keys take the values of {@code base}. A value that is not
     * a number, or a number the config rejects, fails with a message naming the key.
     */
    public static DetectorConfig fromMap(Map<String, String> values, DetectorConfig base) {
        Map<String, String> v = asMap(base);
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (v.containsKey(e.getKey())) v.put(e.getKey(), e.getValue());
        }
        return new DetectorConfig(integer(v, "window.size"), integer(v, "window.slide"),
                integer(v, "resolve.after-windows"), dbl(v, "vanishing.floor"), dbl(v, "ratio.floor"),
                dbl(v, "exploding.ceiling"), dbl(v, "growth.factor"), dbl(v, "growth.min-norm"),
                integer(v, "spike.lookback-steps"), dbl(v, "spike.z"), dbl(v, "spike.min-ratio"),
                dbl(v, "attenuation.floor"), dbl(v, "dead-relu.fraction"), dbl(v, "saturation.fraction"),
                dbl(v, "update-ratio.min-log10"), dbl(v, "update-ratio.max-log10"), dbl(v, "loss-spike.z"),
                dbl(v, "loss-spike.min-ratio"), dbl(v, "loss-plateau.min-decrease"),
                integer(v, "loss-plateau.patience-steps"), dbl(v, "divergence.z"),
                integer(v, "divergence.min-workers"), integer(v, "flap.within-windows"),
                integer(v, "flap.max-resolve-windows"));
    }

    static int integer(Map<String, String> v, String key) {
        try {
            return Integer.parseInt(v.get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v.get(key) + "'");
        }
    }

    static double dbl(Map<String, String> v, String key) {
        try {
            return Double.parseDouble(v.get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got '" + v.get(key) + "'");
        }
    }
}
