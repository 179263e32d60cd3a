package dev.gradwatch.monitor.detect;

/**
 * Memory of the loss's progress, in the manner of PyTorch's {@code ReduceLROnPlateau} (relative
 * threshold mode): the best window-mean loss so far, replaced only by a window mean at least
 * {@code minDecrease} (relative) below it, and the step at which that last happened. Slow progress
 * accumulates until it crosses the threshold. A Flink POJO, part of {@link StepState}.
 */
public final class LossPlateau {

    /** Best window-mean loss so far, NaN before the first window. */
    public double best = Double.NaN;
    /** Last step of the window that set {@link #best}, -1 before the first. */
    public long bestStep = -1;

    public LossPlateau() {
    }

    /** Takes the mean loss of the window that ends at {@code step}; a NaN mean (no finite loss) is ignored. */
    public void observe(double windowMean, long step, double minDecrease) {
        if (!Double.isFinite(windowMean)) return;
        if (bestStep < 0 || windowMean < best - minDecrease * Math.abs(best)) {
            best = windowMean;
            bestStep = step;
        }
    }

    /** Steps since the loss last made progress, as of {@code step}; 0 before the first window. */
    public long stepsWithoutProgress(long step) {
        return bestStep < 0 ? 0 : step - bestStep;
    }
}
