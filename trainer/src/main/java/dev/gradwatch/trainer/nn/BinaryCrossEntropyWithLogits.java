package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;

/**
 * Binary cross-entropy taking logits Z (not probabilities) and targets T in [0, 1], PyTorch's
 * {@code BCEWithLogitsLoss}: L = (1/N) Σ −[T·log σ(Z) + (1−T)·log(1−σ(Z))], computed in the
 * stable form max(Z, 0) − Z·T + log(1 + e^(−|Z|)), so it is finite for any finite logit and
 * needs no clamping; the gradient is (σ(Z) − T)/N.
 */
public final class BinaryCrossEntropyWithLogits implements Loss {

    private final DMatrixRMaj dZ = new DMatrixRMaj(1, 1);
    private DMatrixRMaj Z;
    private DMatrixRMaj T;

    @Override
    public String name() {
        return "bce";
    }

    @Override
    public double forward(DMatrixRMaj Z, DMatrixRMaj T) {
        MeanSquaredError.checkSameShape(Z, T);
        this.Z = Z;
        this.T = T;
        double[] z = Z.data, t = T.data;
        int n = Z.getNumElements();
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.max(z[i], 0) - z[i] * t[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
        }
        return s / n;
    }

    @Override
    public DMatrixRMaj backward() {
        // dZ = (σ(Z) − T) / N
        dZ.reshape(Z.numRows, Z.numCols);
        double[] z = Z.data, t = T.data, d = dZ.data;
        int n = Z.getNumElements();
        for (int i = 0; i < n; i++) d[i] = (Sigmoid.sigmoid(z[i]) - t[i]) / n;
        return dZ;
    }
}
