package dev.gradwatch.trainer.train;

import dev.gradwatch.events.LayerStats;

import java.util.List;
import java.util.Objects;

/**
 * What one training step produced.
 *
 * @param step        index of this step, 0 for the first; {@link TrainingSession#stepCount()} is
 *                    {@code step + 1} right after it
 * @param loss        the batch loss of the forward pass (before the update)
 * @param preClipNorm global L2 norm of all gradients before clipping (NaN or +Inf when not finite)
 * @param skipped     true when the gradient was not finite and no update was applied
 * @param layers      per-layer statistics, input side first. From {@link TrainingSession#step()}
 *                    this is a view that allocates only when read and is valid until the next
 *                    step: read it, or copy it ({@code List.copyOf}, as {@code StepStats} does),
 *                    before calling {@code step()} again, on the training thread; a stale read
 *                    throws {@link IllegalStateException}. {@link #detached()} keeps a copy.
 */
public record StepResult(long step, double loss, double preClipNorm, boolean skipped, List<LayerStats> layers) {

    public StepResult {
        Objects.requireNonNull(layers, "layers");
    }

    /** This result with its layer statistics copied, safe to keep past the next step or hand to another thread. */
    public StepResult detached() {
        return new StepResult(step, loss, preClipNorm, skipped, List.copyOf(layers));
    }
}
