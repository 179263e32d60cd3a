package dev.gradwatch.trainer.engine;

import org.ejml.data.DMatrixRMaj;

/**
 * A layer whose last forward the gradient probe can look at: its pre-activation Z and output
 * A = f(Z) (batch × units), and the name of f, so that the probe can report activation mean and
 * deviation, saturated sigmoid/tanh units and dead ReLU units.
 */
public interface ActivationOutput {

    /** Z of the last forward (valid until the next forward). */
    DMatrixRMaj preActivation();

    /** A = f(Z) of the last forward. */
    DMatrixRMaj output();

    /** The activation's name, e.g. {@code relu}, {@code sigmoid}, {@code tanh}, {@code linear}. */
    String activationName();
}
