package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.ActivationOutput;
import dev.gradwatch.trainer.engine.MatrixOps;
import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A fully connected layer with its activation fused in: A = f(X·W + 1·b).
 *
 * <p>W is stored inputs × outputs so that the forward product X·W and the weight gradient Xᵀ·dZ
 * are a plain {@code mult} and a {@code multTransA}; the input gradient dZ·Wᵀ is
 * {@link MatrixOps#multTransB}, which under EJML uses a transposed copy of W, refreshed once per
 * backward (EJML's own {@code multTransB} is half as fast on larger layers, FACTS.md), and under
 * BLAS reads W transposed in place.
 */
public final class Dense implements Layer, ActivationOutput {

    private final String name;
    private final int inputs;
    private final int outputs;
    private final Activation f;
    private final Parameter W;
    private final Parameter b;
    private final List<Parameter> parameters;

    // predeclared work buffers, reshaped (never reallocated once large enough) when the batch changes
    private final DMatrixRMaj Z = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj A = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj dZ = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj dX = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj Wt;
    private DMatrixRMaj X;
    private boolean inputGradientNeeded = true;

    /** A layer initialised with {@code init} drawing from {@code rng}. */
    public Dense(String name, int inputs, int outputs, Activation f, Init init, RandomGenerator rng) {
        if (inputs < 1 || outputs < 1) {
            throw new IllegalArgumentException(name + ": inputs and outputs must be >= 1, got " + inputs + ", " + outputs);
        }
        this.name = name;
        this.inputs = inputs;
        this.outputs = outputs;
        this.f = f;
        this.W = new Parameter(name + ".W", inputs, outputs);
        this.b = new Parameter(name + ".b", 1, outputs);
        this.parameters = List.of(W, b);
        this.Wt = new DMatrixRMaj(outputs, inputs);
        init.initialize(W.value(), b.value(), inputs, outputs, rng);
    }

    @Override
    public DMatrixRMaj forward(DMatrixRMaj X) {
        if (X.numCols != inputs) {
            throw new IllegalArgumentException(name + ": expected " + inputs + " input columns, got " + X.numCols);
        }
        this.X = X;
        int n = X.numRows;
        Z.reshape(n, outputs);
        A.reshape(n, outputs);
        // Z = X · W + 1 · b
        MatrixOps.mult(X, W.value(), Z);
        addToEveryRow(b.value().data, Z);
        // A = f(Z)
        f.forward(Z, A);
        return A;
    }

    @Override
    public DMatrixRMaj backward(DMatrixRMaj dA) {
        int n = X.numRows;
        dZ.reshape(n, outputs);
        // dZ = dA ⊙ f′(Z)
        f.backward(Z, A, dA, dZ);
        // dW += Xᵀ · dZ
        MatrixOps.multAddTransA(X, dZ, W.grad());
        // db += 1ᵀ · dZ
        addColumnSums(dZ, b.grad().data);
        if (!inputGradientNeeded) return null;
        // dX = dZ · Wᵀ (EJML through the transposed copy Wt, BLAS reading W transposed in place)
        dX.reshape(n, inputs);
        MatrixOps.multTransB(dZ, W.value(), Wt, dX);
        return dX;
    }

    private static void addToEveryRow(double[] row, DMatrixRMaj M) {
        double[] m = M.data;
        int cols = M.numCols;
        for (int r = 0, off = 0; r < M.numRows; r++, off += cols) {
            for (int c = 0; c < cols; c++) m[off + c] += row[c];
        }
    }

    private static void addColumnSums(DMatrixRMaj M, double[] out) {
        double[] m = M.data;
        int cols = M.numCols;
        for (int r = 0, off = 0; r < M.numRows; r++, off += cols) {
            for (int c = 0; c < cols; c++) out[c] += m[off + c];
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "dense/" + f.name();
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public void setInputGradientNeeded(boolean needed) {
        this.inputGradientNeeded = needed;
    }

    /** Weights, inputs × outputs. */
    public Parameter weights() {
        return W;
    }

    public Parameter bias() {
        return b;
    }

    public Activation activation() {
        return f;
    }

    public int inputs() {
        return inputs;
    }

    public int outputs() {
        return outputs;
    }

    @Override
    public DMatrixRMaj preActivation() {
        return Z;
    }

    @Override
    public DMatrixRMaj output() {
        return A;
    }

    @Override
    public String activationName() {
        return f.name();
    }
}
