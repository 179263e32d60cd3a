package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;

/** The identity, for output layers whose loss takes raw values or logits. */
final class Linear implements Activation {

    @Override
    public String name() {
        return "linear";
    }

    @Override
    public void forward(DMatrixRMaj Z, DMatrixRMaj A) {
        System.arraycopy(Z.data, 0, A.data, 0, Z.getNumElements());
    }

    @Override
    public void backward(DMatrixRMaj Z, DMatrixRMaj A, DMatrixRMaj dA, DMatrixRMaj dZ) {
        System.arraycopy(dA.data, 0, dZ.data, 0, dA.getNumElements());
    }
}
