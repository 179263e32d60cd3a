package dev.gradwatch.trainer.engine;

import org.ejml.data.DMatrixRMaj;

import java.util.ArrayList;
import java.util.List;

/**
 * One differentiable step of a network, working on a batch with one sample per row.
 *
 * <p>Contract, so that a training step allocates nothing: {@link #forward} returns a buffer the
 * layer owns (valid until its next forward) and may keep a reference to its input until
 * {@link #backward}; {@link #backward} adds the parameter gradients into each
 * {@link Parameter#grad()} and returns the gradient with respect to the input in another owned
 * buffer. Buffers are allocated once and reshaped when the batch size changes.
 */
public interface Layer {

    /** Human name, unique within a model, e.g. {@code dense3}. */
    String name();

    /** Layer kind with its activation, e.g. {@code dense/sigmoid}. */
    String kind();

    /** Output for input {@code X} (batch × inputs). */
    DMatrixRMaj forward(DMatrixRMaj X);

    /**
     * Back-propagates {@code dA} = ∂L/∂output of the last forward: accumulates parameter gradients
     * and returns ∂L/∂X, or null when the input gradient was switched off.
     */
    DMatrixRMaj backward(DMatrixRMaj dA);

    /** Trainable parameters, in a fixed order; empty for parameter-free layers. */
    List<Parameter> parameters();

    /** Layers this one is made of (for containers), so a probe can reach every parameterised leaf. */
    default List<Layer> sublayers() {
        return List.of();
    }

    /**
     * Whether {@link #backward} must compute ∂L/∂X. The first layer of a model does not need it,
     * which saves one matrix product per step.
     */
    default void setInputGradientNeeded(boolean needed) {
    }

    /**
     * The layers of {@code model} that hold parameters, input side first, looking through containers
     * ({@link #sublayers()}): what the probe measures and per-layer clipping groups.
     */
    static List<Layer> parameterisedLeaves(Layer model) {
        List<Layer> out = new ArrayList<>();
        collectParameterisedLeaves(model, out);
        return out;
    }

    private static void collectParameterisedLeaves(Layer layer, List<Layer> out) {
        if (!layer.sublayers().isEmpty()) {
            for (Layer child : layer.sublayers()) collectParameterisedLeaves(child, out);
        } else if (!layer.parameters().isEmpty()) {
            out.add(layer);
        }
    }

    default void zeroGrad() {
        List<Parameter> ps = parameters();
        for (int i = 0; i < ps.size(); i++) ps.get(i).zeroGrad();
    }

    default long parameterCount() {
        long n = 0;
        List<Parameter> ps = parameters();
        for (int i = 0; i < ps.size(); i++) n += ps.get(i).size();
        return n;
    }
}
