package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;

/**
 * Softmax cross-entropy on logits Z (batch × classes) against target distributions T (one-hot
 * rows, or any rows of probabilities), averaged over the batch as PyTorch's
 * {@code CrossEntropyLoss} with mean reduction: L = (1/n) Σᵣ Σ_c −T_rc·log softmax(Zᵣ)_c.
 *
 * <p>Fused and stable: log softmax(Zᵣ) = Zᵣ − m − log Σ e^(Zᵣ − m) with m = max Zᵣ, so no
 * exponential overflows and no log of 0 is taken; the gradient is (softmax(Zᵣ)·ΣT_r − Tᵣ)/n,
 * which is the familiar (P − T)/n when each target row sums to 1. Note that the mean is over
 * rows (samples), not over every entry as {@link MeanSquaredError} takes it.
 */
public final class SoftmaxCrossEntropy implements Loss {

    private final DMatrixRMaj P = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj dZ = new DMatrixRMaj(1, 1);
    private DMatrixRMaj T;

    @Override
    public String name() {
        return "softmax-ce";
    }

    @Override
    public double forward(DMatrixRMaj Z, DMatrixRMaj T) {
        MeanSquaredError.checkSameShape(Z, T);
        this.T = T;
        int n = Z.numRows, cols = Z.numCols;
        P.reshape(n, cols);
        double[] z = Z.data, t = T.data, p = P.data;
        double L = 0;
        for (int r = 0, off = 0; r < n; r++, off += cols) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) max = Math.max(max, z[off + c]);
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                double e = Math.exp(z[off + c] - max);
                p[off + c] = e;
                sum += e;
            }
            // −Σ_c T·log P = Σ_c T·(m + log Σe − Z)
            double logZ = max + Math.log(sum);
            double inv = 1 / sum;
            for (int c = 0; c < cols; c++) {
                p[off + c] *= inv;
                double tc = t[off + c];
                if (tc != 0) L += tc * (logZ - z[off + c]);
            }
        }
        return L / n;
    }

    @Override
    public DMatrixRMaj backward() {
        int n = P.numRows, cols = P.numCols;
        dZ.reshape(n, cols);
        double[] p = P.data, t = T.data, d = dZ.data;
        // dZᵣ = (Pᵣ·ΣT_r − Tᵣ) / n
        for (int r = 0, off = 0; r < n; r++, off += cols) {
            double mass = 0;
            for (int c = 0; c < cols; c++) mass += t[off + c];
            for (int c = 0; c < cols; c++) d[off + c] = (p[off + c] * mass - t[off + c]) / n;
        }
        return dZ;
    }

    /** softmax(Z) of the last forward, row by row: the predicted class probabilities. */
    public DMatrixRMaj probabilities() {
        return P;
    }
}
