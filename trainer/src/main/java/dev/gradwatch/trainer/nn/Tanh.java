package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;

/** The hyperbolic tangent. */
final class Tanh implements Activation {

    @Override
    public String name() {
        return "tanh";
    }

    @Override
    public void forward(DMatrixRMaj Z, DMatrixRMaj A) {
        double[] z = Z.data, a = A.data;
        for (int i = 0, n = Z.getNumElements(); i < n; i++) a[i] = Math.tanh(z[i]);
    }

    @Override
    public void backward(DMatrixRMaj Z, DMatrixRMaj A, DMatrixRMaj dA, DMatrixRMaj dZ) {
        // dZ = dA ⊙ (1 − tanh²(Z))
        double[] a = A.data, da = dA.data, dz = dZ.data;
        for (int i = 0, n = A.getNumElements(); i < n; i++) dz[i] = da[i] * (1 - a[i] * a[i]);
    }
}
