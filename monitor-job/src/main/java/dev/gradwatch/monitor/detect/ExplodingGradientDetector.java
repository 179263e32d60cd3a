package dev.gradwatch.monitor.detect;


import java.util.Map;
import java.util.Optional;

/** Exploding gradients: a layer's norm over a ceiling, or growing by a large factor within one window. */
public final class ExplodingGradientDetector {

    private ExplodingGradientDetector() {
    }

    /** The test {@link #overCeiling} applies to each value: finite and over {@code ceiling}. */
    public static boolean isOverCeiling(double gradL2, double ceiling) {
        return Double.isFinite(gradL2) && gradL2 > ceiling;
    }

    /**
     * Fires when any finite value of the series is over {@code ceiling}. Called on each new sample
     * (a one-value series) to fire at once, and on each window to decide whether it still holds.
     */
    public static Optional<Finding> overCeiling(Subject layer, Series gradL2, double ceiling, double learningRate) {
        int at = gradL2.argMaxFinite();
        if (at < 0 || !isOverCeiling(gradL2.values()[at], ceiling)) return Optional.empty();
        double max = gradL2.values()[at];
        long step = gradL2.steps()[at];
        Map<String, Double> evidence = Map.of(
                "maxGradL2", max,
                "maxAtStep", (double) step,
                "ceiling", ceiling,
                "learningRate", learningRate,
                "windowFirstStep", (double) gradL2.firstStep(),
                "windowLastStep", (double) gradL2.lastStep());
        String summary = "gradient L2 norm of " + layer.describe() + " reached " + Remedies.num(max)
                + " at step " + step + ", over the ceiling " + Remedies.num(ceiling);
        return Optional.of(Finding.of(Rules.EXPLODING_GRADIENT, layer, gradL2.lastStep(),
                summary, evidence, Remedies.exploding(learningRate)));
    }

    /**
     * Fires when the last value of the window is more than {@code factor} times the first. A first
     * value under {@code floor} is a vanished gradient recovering, not an explosion, and is ignored;
     * so is a last value under {@code minNorm}, growth among gradients too small to matter.
     */
    public static Optional<Finding> growth(Subject layer, Series gradL2, double factor, double floor,
                                           double minNorm, double learningRate) {
        if (gradL2.size() < 2) return Optional.empty();
        double first = gradL2.first();
        double last = gradL2.last();
        if (!Double.isFinite(first) || !Double.isFinite(last) || !(first >= floor) || !(last >= minNorm)) {
            return Optional.empty();
        }
        double growth = last / first;
        if (!(growth > factor)) return Optional.empty();
        long span = gradL2.lastStep() - gradL2.firstStep();
        // steps per doubling of a geometric growth: span · ln 2 / ln(growth)
        double doubling = span * Math.log(2) / Math.log(growth);
        Map<String, Double> evidence = Map.of(
                "firstGradL2", first,
                "lastGradL2", last,
                "growth", growth,
                "factor", factor,
                "stepsPerDoubling", doubling,
                "learningRate", learningRate,
                "windowFirstStep", (double) gradL2.firstStep(),
                "windowLastStep", (double) gradL2.lastStep());
        String summary = "gradient L2 norm of " + layer.describe() + " grew " + Remedies.num(growth)
                + "x from step " + gradL2.firstStep() + " to " + gradL2.lastStep() + " (" + Remedies.num(first)
                + " -> " + Remedies.num(last) + "), over the factor " + Remedies.num(factor);
        return Optional.of(Finding.of(Rules.EXPLODING_GRADIENT_GROWTH, layer,
                gradL2.lastStep(), summary, evidence, Remedies.growth(learningRate)));
    }
}
