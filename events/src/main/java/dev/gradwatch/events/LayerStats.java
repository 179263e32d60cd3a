package dev.gradwatch.events;

import java.util.Objects;

/**
 * Gradient statistics of one layer at one training step, as the trainer's probe measured them.
 *
 * @param index          position of the layer in the network, 0 = closest to the input
 * @param name           human name of the layer, e.g. {@code dense3}
 * @param kind           layer kind with its activation, e.g. {@code dense/sigmoid}
 * @param paramCount     number of trainable parameters
 * @param gradL2         L2 norm of the layer's gradient (weights and biases together)
 * @param gradMeanAbs    mean of |g| over the finite entries
 * @param gradMaxAbs     max of |g| over the finite entries
 * @param nonFiniteCount number of NaN or ±Inf gradient entries
 * @param zeroFraction   fraction of gradient entries that are exactly zero
 * @param weightL2       L2 norm of the layer's parameters before the update
 * @param updateRatio    ‖Δw‖ / ‖w‖ of the update applied at this step (0 if none was applied)
 */
public record LayerStats(
        int index,
        String name,
        String kind,
        long paramCount,
        double gradL2,
        double gradMeanAbs,
        double gradMaxAbs,
        long nonFiniteCount,
        double zeroFraction,
        double weightL2,
        double updateRatio) {

    public LayerStats {
        if (index < 0) throw new IllegalArgumentException("index must be >= 0, got " + index);
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (paramCount < 0) throw new IllegalArgumentException("paramCount must be >= 0, got " + paramCount);
        if (nonFiniteCount < 0) throw new IllegalArgumentException("nonFiniteCount must be >= 0, got " + nonFiniteCount);
    }

    /** True when any gradient entry of this layer was NaN or infinite. */
    public boolean hasNonFinite() {
        return nonFiniteCount > 0 || !Double.isFinite(gradL2);
    }
}
