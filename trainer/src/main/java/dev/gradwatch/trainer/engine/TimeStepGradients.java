package dev.gradwatch.trainer.engine;

/**
 * A layer that unrolls over time and can say how large the loss gradient with respect to its
 * hidden state was at each time step of the last backward pass; the gradient probe reports it.
 */
public interface TimeStepGradients {

    /**
     * ‖∂L/∂h_t‖₂ over the batch for t = 0 … T−1 (index 0 is the first time step) from the last
     * backward pass, in an array the layer owns and overwrites on the next backward: copy it to
     * keep it. Zeros before the first backward.
     */
    double[] timeStepGradNorms();
}
