package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.Layer;

/**
 * A layer that behaves differently in training and in evaluation (batch normalization, dropout).
 * Layers start in training mode; {@link #setTraining(Layer, boolean)} switches a whole model.
 */
public interface TrainingMode {

    void setTraining(boolean training);

    boolean isTraining();

    /** Sets the mode of {@code root} and of every layer below it, through {@link Layer#sublayers()}. */
    static void setTraining(Layer root, boolean training) {
        if (root instanceof TrainingMode m) m.setTraining(training);
        for (Layer child : root.sublayers()) setTraining(child, training);
    }
}
