package dev.gradwatch.trainer.optim;

/**
 * Updates a fixed list of parameters from their gradients. Each step records ‖Δw‖² on every
 * parameter ({@link dev.gradwatch.trainer.engine.Parameter#recordUpdate}) for the probe, and,
 * as both optimizers here do, Σw² of the values it read before writing them, which spares the
 * probe a pass over the weights.
 */
public interface Optimizer {

    /** Applies one update from the current gradients. */
    void step();

    double learningRate();

    void setLearningRate(double learningRate);

    static double checkLearningRate(double lr) {
        if (!(lr > 0 && Double.isFinite(lr))) {
            throw new IllegalArgumentException("learning rate must be finite and > 0, got " + lr);
        }
        return lr;
    }
}
