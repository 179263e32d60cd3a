package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;

/**
 * The exponential linear unit f(z) = z for z &gt; 0, α·(eᶻ − 1) otherwise (Clevert, Unterthiner and
 * Hochreiter 2016, "Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs)",
 * ICLR). α is a setting; α = 1 is PyTorch's default. As in PyTorch the derivative at 0 is α.
 */
final class Elu implements Activation {

    private final double alpha;

    Elu(double alpha) {
        if (!(alpha > 0 && Double.isFinite(alpha))) throw new IllegalArgumentException("alpha must be finite and > 0, got " + alpha);
        this.alpha = alpha;
    }

    @Override
    public String name() {
        return alpha == 1 ? "elu" : "elu:" + alpha;
    }

    @Override
    public void forward(DMatrixRMaj Z, DMatrixRMaj A) {
        double[] z = Z.data, a = A.data;
        // A = Z > 0 ? Z : α(e^Z − 1); expm1 keeps small negative z exact
        for (int i = 0, n = Z.getNumElements(); i < n; i++) a[i] = z[i] > 0 ? z[i] : alpha * Math.expm1(z[i]);
    }

    @Override
    public void backward(DMatrixRMaj Z, DMatrixRMaj A, DMatrixRMaj dA, DMatrixRMaj dZ) {
        // dZ = dA ⊙ [Z > 0 ? 1 : α·e^Z], and α·e^Z = A + α
        double[] z = Z.data, a = A.data, da = dA.data, dz = dZ.data;
        for (int i = 0, n = Z.getNumElements(); i < n; i++) dz[i] = z[i] > 0 ? da[i] : da[i] * (a[i] + alpha);
    }
}
