package dev.gradwatch.trainer.probe;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.List;

/** A layer that only holds parameters, so a probe test can set gradients and weights by hand. */
record ParameterHolder(String name, List<Parameter> parameters) implements Layer {
    @Override
    public String kind() {
        return "test/fixed";
    }

    @Override
    public DMatrixRMaj forward(DMatrixRMaj X) {
        return X;
    }

    @Override
    public DMatrixRMaj backward(DMatrixRMaj dA) {
        return dA;
    }
}
