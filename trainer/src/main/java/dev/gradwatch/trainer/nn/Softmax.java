package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.List;

/**
 * Row-wise softmax Pᵣ = e^(Zᵣ − max Zᵣ) / Σ e^(Zᵣ − max Zᵣ), an output layer giving class
 * probabilities. To train a classifier, end the network on logits and use
 * {@link SoftmaxCrossEntropy}, which fuses this with the loss and is stabler and cheaper; this
 * layer is for reading probabilities or putting a softmax inside a network.
 */
public final class Softmax implements Layer {

    private final String name;
    private final DMatrixRMaj P = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj dZ = new DMatrixRMaj(1, 1);
    private boolean inputGradientNeeded = true;

    public Softmax(String name) {
        this.name = name;
    }

    @Override
    public DMatrixRMaj forward(DMatrixRMaj Z) {
        P.reshape(Z.numRows, Z.numCols);
        softmaxRows(Z, P);
        return P;
    }

    @Override
    public DMatrixRMaj backward(DMatrixRMaj dP) {
        if (!inputGradientNeeded) return null;
        int cols = P.numCols;
        dZ.reshape(P.numRows, cols);
        double[] p = P.data, dp = dP.data, dz = dZ.data;
        // dZᵣ = Pᵣ ⊙ (dPᵣ − ⟨dPᵣ, Pᵣ⟩): the softmax Jacobian diag(P) − P·Pᵀ applied row by row
        for (int r = 0, off = 0; r < P.numRows; r++, off += cols) {
            double dot = 0;
            for (int c = 0; c < cols; c++) dot += dp[off + c] * p[off + c];
            for (int c = 0; c < cols; c++) dz[off + c] = p[off + c] * (dp[off + c] - dot);
        }
        return dZ;
    }

    /** P = softmax of each row of Z, shifted by the row maximum so no exponential overflows. */
    static void softmaxRows(DMatrixRMaj Z, DMatrixRMaj P) {
        int cols = Z.numCols;
        double[] z = Z.data, p = P.data;
        for (int r = 0, off = 0; r < Z.numRows; r++, off += cols) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) max = Math.max(max, z[off + c]);
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                double e = Math.exp(z[off + c] - max);
                p[off + c] = e;
                sum += e;
            }
            double inv = 1 / sum;
            for (int c = 0; c < cols; c++) p[off + c] *= inv;
        }
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
        return "softmax";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }
}
