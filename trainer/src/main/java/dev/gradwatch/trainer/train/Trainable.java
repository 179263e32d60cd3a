package dev.gradwatch.trainer.train;

/**
 * What a training worker drives step by step and what the monitor's commands act on: a preset
 * {@link TrainingSession} or a {@link ModelRun} built from a model file. Single-threaded: step()
 * and the setters belong to the training thread; the getters may be read from others.
 */
public interface Trainable {

    /** One step; the result's layer list is valid until the next step. */
    StepResult step();

    long stepCount();

    /** Steps whose gradient was not finite and so was not applied. */
    long skippedSteps();

    /** The global-norm clip the monitor controls, +Inf when off. */
    double clipNorm();

    void setClipNorm(double maxNorm);

    double learningRate();

    /** Multiplies the learning rate (and every later scheduled rate) by {@code factor}. */
    void scaleLearningRate(double factor);

    /** How to make one, so that a worker builds its model on its own thread. */
    @FunctionalInterface
    interface Factory {
        Trainable create() throws java.io.IOException;

        static Factory of(ModelSpec spec) {
            return () -> TrainingSession.create(spec);
        }

        static Factory of(dev.gradwatch.trainer.model.ModelFile file) {
            return () -> ModelRun.create(file).asTrainable();
        }
    }
}
