package dev.gradwatch.trainer.engine;

import org.ejml.data.DMatrixRMaj;

/**
 * A trainable tensor: its value, the gradient of the loss with respect to it, and the size of
 * the last update an optimizer applied to it.
 *
 * <p>Gradients accumulate: every backward pass adds into {@link #grad()}, so a parameter used
 * twice (shared weights, time steps of a recurrent layer) gets the sum. Call {@link #zeroGrad()}
 * before each backward pass.
 */
public final class Parameter {

    private final String name;
    private final DMatrixRMaj value;
    private final DMatrixRMaj grad;
    private double lastUpdateSquaredNorm;
    private double valueSquaredNormBeforeLastUpdate;
    private boolean valueNormRecorded;
    private long updates;

    public Parameter(String name, int rows, int cols) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("name must be non-empty");
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException(name + ": shape must be positive, got " + rows + "x" + cols);
        }
        this.name = name;
        this.value = new DMatrixRMaj(rows, cols);
        this.grad = new DMatrixRMaj(rows, cols);
    }

    public String name() {
        return name;
    }

    public DMatrixRMaj value() {
        return value;
    }

    public DMatrixRMaj grad() {
        return grad;
    }

    /** Number of scalar entries. */
    public int size() {
        return value.getNumElements();
    }

    public void zeroGrad() {
        grad.zero();
    }

    /**
     * Called by an optimizer with ‖Δw‖² of the update it just applied (the difference actually
     * written, after rounding); read by the gradient probe for the update-to-weight ratio.
     */
    public void recordUpdate(double squaredNorm) {
        this.lastUpdateSquaredNorm = squaredNorm;
        this.valueNormRecorded = false;
        updates++;
    }

    /**
     * As {@link #recordUpdate(double)}, from an optimizer that also summed Σw² over the values it
     * read before writing them (plainly, in any order): the gradient probe takes ‖w‖ before the
     * update from here instead of reading every weight again.
     */
    public void recordUpdate(double squaredNorm, double valueSquaredNormBefore) {
        this.lastUpdateSquaredNorm = squaredNorm;
        this.valueSquaredNormBeforeLastUpdate = valueSquaredNormBefore;
        this.valueNormRecorded = true;
        updates++;
    }

    /** Whether the last update recorded Σw² of the values before it ({@link #recordUpdate(double, double)}). */
    public boolean valueNormRecorded() {
        return valueNormRecorded;
    }

    /** Σw² of the values before the last update, when {@link #valueNormRecorded()}. */
    public double valueSquaredNormBeforeLastUpdate() {
        return valueSquaredNormBeforeLastUpdate;
    }

    /** Updates recorded so far: tells whether an optimizer wrote the value since a given moment. */
    public long updateCount() {
        return updates;
    }

    /** ‖Δw‖² of the last update recorded by an optimizer, 0 before the first. */
    public double lastUpdateSquaredNorm() {
        return lastUpdateSquaredNorm;
    }

    @Override
    public String toString() {
        return name + "[" + value.numRows + "x" + value.numCols + "]";
    }
}
