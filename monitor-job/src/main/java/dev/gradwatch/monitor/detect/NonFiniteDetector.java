package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * NaN or infinite gradients or loss, judged on a single step so that they are reported at once.
 *
 * <p>The layer named is where the non-finite value first appeared in the backward pass. Backprop
 * runs from the output towards the input and a non-finite upstream gradient poisons every layer
 * below it, so that is the affected layer with the highest index.
 */
public final class NonFiniteDetector {

    private NonFiniteDetector() {
    }

    public static Optional<Finding> gradient(Subject step, StepStats stats) {
        LayerStats origin = null;
        int affected = 0;
        int lowest = Integer.MAX_VALUE;
        long entries = 0;
        for (LayerStats l : stats.layers()) {
            if (!l.hasNonFinite()) continue;
            affected++;
            entries += l.nonFiniteCount();
            lowest = Math.min(lowest, l.index());
            if (origin == null || l.index() > origin.index()) origin = l;
        }
        if (origin == null) return Optional.empty();
        Map<String, Double> evidence = new HashMap<>();
        evidence.put("firstLayerIndex", (double) origin.index());
        evidence.put("firstLayerNonFiniteCount", (double) origin.nonFiniteCount());
        evidence.put("firstLayerGradL2", origin.gradL2());
        evidence.put("affectedLayers", (double) affected);
        evidence.put("layers", (double) stats.layers().size());
        evidence.put("lowestAffectedLayerIndex", (double) lowest);
        evidence.put("nonFiniteEntries", (double) entries);
        evidence.put("loss", stats.loss());
        evidence.put("learningRate", stats.learningRate());
        Subject at = step.layer(origin.index(), origin.name(), origin.kind());
        String summary = "non-finite gradient at step " + stats.step() + " of " + step.describe()
                + ", first appearing (in backward order) at layer " + origin.index() + " " + origin.name()
                + "; " + affected + " of " + stats.layers().size() + " layers affected";
        return Optional.of(Finding.of(Rules.NON_FINITE_GRADIENT, at, stats.step(), summary,
                evidence, Remedies.nonFiniteGradient(origin.name(), origin.kind(), Double.isFinite(stats.loss()))));
    }

    public static Optional<Finding> loss(Subject step, StepStats stats) {
        if (Double.isFinite(stats.loss())) return Optional.empty();
        Map<String, Double> evidence = Map.of(
                "loss", stats.loss(),
                "learningRate", stats.learningRate(),
                "step", (double) stats.step());
        String summary = "non-finite loss (" + stats.loss() + ") at step " + stats.step() + " of " + step.describe();
        return Optional.of(Finding.of(Rules.NON_FINITE_LOSS, step, stats.step(), summary,
                evidence, Remedies.nonFiniteLoss()));
    }
}
