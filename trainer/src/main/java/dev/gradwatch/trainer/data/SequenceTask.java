package dev.gradwatch.trainer.data;

/**
 * A batch source of sequences for recurrent layers. Inputs are time-major, (T·B) × inputDim with
 * rows t·B … t·B + B − 1 holding time step t (the layout of
 * {@code dev.gradwatch.trainer.nn.recurrent.RecurrentLayer}); targets are B × outputDim when only
 * the end of the sequence is scored, or (T·B) × outputDim in the same layout when every step is.
 */
public interface SequenceTask extends BatchSource {

    /** T, the number of time steps of every sequence. */
    int timeSteps();

    /** Whether the targets have a row per time step and sample rather than one per sample. */
    boolean targetsEveryTimeStep();
}
