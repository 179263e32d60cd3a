package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.List;

/**
 * An element-wise activation as a layer of its own, for where it cannot be fused into a
 * {@link Dense}: after a normalization layer, or inside a residual branch.
 */
public final class ActivationLayer implements Layer {

    private final String name;
    private final Activation f;
    private final DMatrixRMaj A = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj dZ = new DMatrixRMaj(1, 1);
    private DMatrixRMaj Z;
    private boolean inputGradientNeeded = true;

    public ActivationLayer(String name, Activation f) {
        this.name = name;
        this.f = f;
    }

    @Override
    public DMatrixRMaj forward(DMatrixRMaj Z) {
        this.Z = Z;
        A.reshape(Z.numRows, Z.numCols);
        // A = f(Z)
        f.forward(Z, A);
        return A;
    }

    @Override
    public DMatrixRMaj backward(DMatrixRMaj dA) {
        if (!inputGradientNeeded) return null;
        dZ.reshape(Z.numRows, Z.numCols);
        // dZ = dA ⊙ f′(Z)
        f.backward(Z, A, dA, dZ);
        return dZ;
    }

    @Override
    public void setInputGradientNeeded(boolean needed) {
        this.inputGradientNeeded = needed;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "activation/" + f.name();
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    public Activation activation() {
        return f;
    }
}
