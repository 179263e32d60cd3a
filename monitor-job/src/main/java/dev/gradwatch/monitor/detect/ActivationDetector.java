package dev.gradwatch.monitor.detect;

import java.util.Map;
import java.util.Optional;

/**
 * Dead ReLU units and saturated sigmoid/tanh units, from the fractions the probe reports per layer.
 * Both fields are optional (schema 2): a window in which fewer than {@code minSamples} steps carry
 * the field gives no verdict, so a trainer that does not measure them never raises these alerts.
 */
public final class ActivationDetector {

    private ActivationDetector() {
    }

    /** Fires when at least {@code minSamples} steps report a dead fraction and all of them are over {@code threshold}. */
    public static Optional<Finding> deadRelu(Subject layer, Series deadFraction, double threshold, int minSamples,
                                             double learningRate) {
        Series present = deadFraction.finiteOnly();
        if (present.size() < minSamples || !(present.minFinite() > threshold)) return Optional.empty();
        double min = present.minFinite();
        Map<String, Double> evidence = Map.of(
                "minDeadFraction", min,
                "lastDeadFraction", present.last(),
                "threshold", threshold,
                "samples", (double) present.size(),
                "learningRate", learningRate,
                "windowFirstStep", (double) deadFraction.firstStep(),
                "windowLastStep", (double) deadFraction.lastStep());
        String summary = "at least " + pct(min) + " of the ReLU units of " + layer.describe()
                + " were dead (inactive for the whole batch) at every measured step of " + deadFraction.firstStep()
                + "-" + deadFraction.lastStep() + ", over " + pct(threshold);
        return Optional.of(Finding.of(Rules.DEAD_RELU, layer, deadFraction.lastStep(), summary, evidence,
                Remedies.deadRelu(present.last(), learningRate)));
    }

    /** Fires when at least {@code minSamples} steps report a saturated fraction and all of them are over {@code threshold}. */
    public static Optional<Finding> saturation(Subject layer, Series saturatedFraction, double threshold,
                                               int minSamples, double learningRate) {
        Series present = saturatedFraction.finiteOnly();
        if (present.size() < minSamples || !(present.minFinite() > threshold)) return Optional.empty();
        double min = present.minFinite();
        Map<String, Double> evidence = Map.of(
                "minSaturatedFraction", min,
                "lastSaturatedFraction", present.last(),
                "threshold", threshold,
                "samples", (double) present.size(),
                "learningRate", learningRate,
                "windowFirstStep", (double) saturatedFraction.firstStep(),
                "windowLastStep", (double) saturatedFraction.lastStep());
        String summary = "at least " + pct(min) + " of the units of " + layer.describe()
                + " were saturated at every measured step of " + saturatedFraction.firstStep() + "-"
                + saturatedFraction.lastStep() + ", over " + pct(threshold);
        return Optional.of(Finding.of(Rules.ACTIVATION_SATURATION, layer, saturatedFraction.lastStep(), summary,
                evidence, Remedies.saturation(layer.layerKind(), present.last(), learningRate)));
    }

    static String pct(double f) {
        return Remedies.num(100 * f) + "%";
    }
}
