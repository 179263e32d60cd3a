package dev.gradwatch.trainer.probe;

import dev.gradwatch.trainer.engine.Layer;
import org.ejml.data.DMatrixRMaj;

/** A layer whose forward and backward pass their input through, for probe tests that set gradients by hand. */
interface IdentityLayer extends Layer {
    @Override
    default String kind() {
        return "test/fixed";
    }

    @Override
    default DMatrixRMaj forward(DMatrixRMaj X) {
        return X;
    }

    @Override
    default DMatrixRMaj backward(DMatrixRMaj dA) {
        return dA;
    }
}
