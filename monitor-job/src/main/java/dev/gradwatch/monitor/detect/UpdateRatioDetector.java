package dev.gradwatch.monitor.detect;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Update-to-weight ratio ‖Δw‖/‖w‖ of a layer outside a band, judged on the median of log10 over a
 * window. Deeplearning4j's training UI calls about −3 healthy and −4…−2 the range to aim for;
 * SageMaker Debugger's WeightUpdateRatio flags ratios above 10 or below 1e-8. Steps that applied no
 * update report 0 and are left out.
 */
public final class UpdateRatioDetector {

    /** Log10 of the healthy ratio Deeplearning4j's guide names, the target of the remedy. */
    static final double HEALTHY_LOG10 = -3;

    private UpdateRatioDetector() {
    }

    public static Optional<Finding> outOfBand(Subject layer, Series updateRatio, double minLog10, double maxLog10,
                                              int minSamples, double learningRate) {
        double[] values = updateRatio.values();
        double[] logs = new double[values.length];
        int n = 0;
        for (double v : values) if (v > 0 && Double.isFinite(v)) logs[n++] = Math.log10(v);
        if (n < minSamples || n == 0) return Optional.empty();
        Arrays.sort(logs, 0, n);
        double median = n % 2 == 1 ? logs[n / 2] : (logs[n / 2 - 1] + logs[n / 2]) / 2;
        boolean high = median > maxLog10;
        if (!high && !(median < minLog10)) return Optional.empty();
        Map<String, Double> evidence = Map.of(
                "medianLog10UpdateRatio", median,
                "minLog10UpdateRatio", logs[0],
                "maxLog10UpdateRatio", logs[n - 1],
                "bandMinLog10", minLog10,
                "bandMaxLog10", maxLog10,
                "samples", (double) n,
                "learningRate", learningRate,
                "windowFirstStep", (double) updateRatio.firstStep(),
                "windowLastStep", (double) updateRatio.lastStep());
        String summary = "update-to-weight ratio of " + layer.describe() + " had a median of 1e"
                + Remedies.num(median) + " over steps " + updateRatio.firstStep() + "-" + updateRatio.lastStep()
                + ", " + (high ? "above" : "below") + " the band 1e" + Remedies.num(minLog10) + "…1e"
                + Remedies.num(maxLog10);
        return Optional.of(Finding.of(Rules.UPDATE_RATIO_OUT_OF_BAND, layer, updateRatio.lastStep(), summary, evidence,
                Remedies.updateRatio(median, HEALTHY_LOG10, learningRate, layer.layerKind())));
    }
}
