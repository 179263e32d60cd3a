package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;

/**
 * The rectifier f(z) = max(z, slope·z); slope 0 is ReLU, a small positive slope Leaky ReLU
 * (Maas, Hannun, Ng 2013, "Rectifier Nonlinearities Improve Neural Network Acoustic Models").
 * The derivative at exactly 0 is taken as {@code slope}, as PyTorch does.
 */
final class Relu implements Activation {

    private final double slope;

    Relu(double slope) {
        if (!(slope >= 0 && slope < 1)) throw new IllegalArgumentException("slope must be in [0, 1), got " + slope);
        this.slope = slope;
    }

    @Override
    public String name() {
        return slope == 0 ? "relu" : "leaky-relu:" + slope;
    }

    @Override
    public void forward(DMatrixRMaj Z, DMatrixRMaj A) {
        double[] z = Z.data, a = A.data;
        for (int i = 0, n = Z.getNumElements(); i < n; i++) a[i] = z[i] > 0 ? z[i] : slope * z[i];
    }

    @Override
    public void backward(DMatrixRMaj Z, DMatrixRMaj A, DMatrixRMaj dA, DMatrixRMaj dZ) {
        // dZ = dA ⊙ [Z > 0 ? 1 : slope]
        double[] z = Z.data, da = dA.data, dz = dZ.data;
        for (int i = 0, n = Z.getNumElements(); i < n; i++) dz[i] = z[i] > 0 ? da[i] : slope * da[i];
    }
}
