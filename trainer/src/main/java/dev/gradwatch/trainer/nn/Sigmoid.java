package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;

/** The logistic function σ(z) = 1 / (1 + e^(−z)). */
final class Sigmoid implements Activation {

    @Override
    public String name() {
        return "sigmoid";
    }

    @Override
    public void forward(DMatrixRMaj Z, DMatrixRMaj A) {
        double[] z = Z.data, a = A.data;
        for (int i = 0, n = Z.getNumElements(); i < n; i++) a[i] = sigmoid(z[i]);
    }

    @Override
    public void backward(DMatrixRMaj Z, DMatrixRMaj A, DMatrixRMaj dA, DMatrixRMaj dZ) {
        // dZ = dA ⊙ σ(Z)(1 − σ(Z))
        double[] a = A.data, da = dA.data, dz = dZ.data;
        for (int i = 0, n = A.getNumElements(); i < n; i++) dz[i] = da[i] * a[i] * (1 - a[i]);
    }

    /** σ(z) without overflow: e^(−z) is only taken for z ≥ 0 and e^z only for z &lt; 0. */
    static double sigmoid(double z) {
        if (z >= 0) return 1 / (1 + Math.exp(-z));
        double e = Math.exp(z);
        return e / (1 + e);
    }
}
