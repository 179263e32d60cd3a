package dev.gradwatch.monitor.detect;


import java.util.Map;
import java.util.Optional;

/**
 * Vanishing gradients, two ways: one layer's gradient L2 norm under a floor for a whole window,
 * and the first layer's norm tiny next to the last layer's (attenuation across depth) for a whole
 * window.
 */
public final class VanishingGradientDetector {

    private VanishingGradientDetector() {
    }

    /**
     * Whether a window can be judged at all: a window holding a non-finite sample (a NaN or ±Inf
     * step, a missing layer) is inconclusive, so it neither fires nor counts as clear. Counted as
     * clear, one NaN step resolves a firing alert and the next window fires it again (a flap).
     */
    public static boolean isConclusive(Series window) {
        return !window.isEmpty() && window.allFinite();
    }

    /** Fires when every value of the window is finite and under {@code floor}. */
    public static Optional<Finding> inLayer(Subject layer, Series gradL2, double floor) {
        if (gradL2.isEmpty() || !gradL2.allFinite()) return Optional.empty();
        double max = gradL2.maxFinite();
        if (!(max < floor)) return Optional.empty();
        Map<String, Double> evidence = Map.of(
                "maxGradL2", max,
                "minGradL2", gradL2.minFinite(),
                "lastGradL2", gradL2.last(),
                "floor", floor,
                "windowFirstStep", (double) gradL2.firstStep(),
                "windowLastStep", (double) gradL2.lastStep(),
                "samples", (double) gradL2.size());
        String summary = "gradient L2 norm of " + layer.describe() + " stayed below " + Remedies.num(floor)
                + " over steps " + gradL2.firstStep() + "-" + gradL2.lastStep() + " (max " + Remedies.num(max) + ")";
        return Optional.of(Finding.of(Rules.VANISHING_GRADIENT, layer, gradL2.lastStep(),
                summary, evidence, Remedies.vanishingLayer(layer.layerKind())));
    }

    /**
     * Fires when, at every step of the window, first-layer norm / last-layer norm is under
     * {@code ratioFloor}.
     *
     * @param ratio       first-layer gradient norm / last-layer gradient norm per step
     * @param firstNorm   the first layer's norm at the last step, for the evidence
     * @param lastNorm    the last layer's norm at the last step, for the evidence
     * @param depth       number of layers between and including the two
     */
    public static Optional<Finding> acrossDepth(Subject step, Series ratio, double ratioFloor,
                                                double firstNorm, double lastNorm, int depth) {
        if (ratio.isEmpty() || !ratio.allFinite() || depth < 2) return Optional.empty();
        double max = ratio.maxFinite();
        if (!(max < ratioFloor)) return Optional.empty();
        // geometric mean attenuation per layer: (g_first / g_last)^(1 / (depth - 1))
        double perLayer = ratio.last() > 0 ? Math.pow(ratio.last(), 1.0 / (depth - 1)) : 0.0;
        Map<String, Double> evidence = Map.of(
                "maxRatio", max,
                "lastRatio", ratio.last(),
                "ratioFloor", ratioFloor,
                "firstLayerGradL2", firstNorm,
                "lastLayerGradL2", lastNorm,
                "depth", (double) depth,
                "attenuationPerLayer", perLayer,
                "windowFirstStep", (double) ratio.firstStep(),
                "windowLastStep", (double) ratio.lastStep());
        String summary = "first-layer / last-layer gradient norm of " + step.describe() + " stayed below "
                + Remedies.num(ratioFloor) + " over steps " + ratio.firstStep() + "-" + ratio.lastStep()
                + " (last " + Remedies.num(ratio.last()) + " across " + depth + " layers)";
        return Optional.of(Finding.of(Rules.VANISHING_GRADIENT_DEPTH, step, ratio.lastStep(),
                summary, evidence, Remedies.vanishingDepth(perLayer, depth, step.layerKind())));
    }

    /**
     * Fires when, at every step of the window, the average per-layer attenuation factor is under
     * {@code floor}: the geometric mean of the successive ratios g₀/g₁, g₁/g₂, …, g₍ₙ₋₂₎/g₍ₙ₋₁₎ of
     * the layers' gradient norms, input side over output side. Catches a moderate attenuation in
     * every layer (0.3 per layer over 8 layers is 2e-4 overall) before the first/last ratio falls
     * under its floor, and says how much each layer loses.
     *
     * @param factor per-step attenuation factor (NaN where a layer was missing, zero or not finite)
     * @param depth  number of layers the factor was taken over
     */
    public static Optional<Finding> attenuation(Subject step, Series factor, double floor, int depth) {
        if (factor.isEmpty() || !factor.allFinite() || depth < 3) return Optional.empty();
        double max = factor.maxFinite();
        if (!(max < floor)) return Optional.empty();
        Map<String, Double> evidence = Map.of(
                "maxAttenuationPerLayer", max,
                "lastAttenuationPerLayer", factor.last(),
                "attenuationFloor", floor,
                "depth", (double) depth,
                "firstToLastRatio", Math.pow(factor.last(), depth - 1),
                "windowFirstStep", (double) factor.firstStep(),
                "windowLastStep", (double) factor.lastStep());
        String summary = "gradient norm of " + step.describe() + " shrinks by a factor of "
                + Remedies.num(factor.last()) + " per layer on average across " + depth + " layers, under "
                + Remedies.num(floor) + " at every step of " + factor.firstStep() + "-" + factor.lastStep();
        return Optional.of(Finding.of(Rules.VANISHING_GRADIENT_ATTENUATION, step, factor.lastStep(), summary,
                evidence, Remedies.vanishingDepth(factor.last(), depth, step.layerKind())));
    }

    /**
     * The geometric mean of successive gradient-norm ratios of layers ordered by index, which
     * telescopes to (g_first / g_last)^(1 / (n − 1)); NaN when fewer than two layers or any norm
     * is zero or not finite.
     *
     * @param normsByIndex gradient norms, input side first
     */
    public static double attenuationFactor(double[] normsByIndex) {
        int n = normsByIndex.length;
        if (n < 2) return Double.NaN;
        double sumLog = 0;
        for (int i = 0; i + 1 < n; i++) {
            double a = normsByIndex[i];
            double b = normsByIndex[i + 1];
            if (!(a > 0) || !(b > 0) || Double.isInfinite(a) || Double.isInfinite(b)) return Double.NaN;
            sumLog += Math.log(a / b);
        }
        return Math.exp(sumLog / (n - 1));
    }
}
