package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.function.DoubleSupplier;

/**
 * Finite-difference checks of a whole layer: the scalar Σ R ⊙ layer(X) against the layer's
 * backward for the input and for every parameter; prints each relative error so a run records them.
 */
final class LayerCheck {

    private LayerCheck() {
    }

    /** Checks ∂/∂X (unless X is null) and ∂/∂p for every parameter; returns the largest relative error. */
    static double check(String what, Layer layer, DMatrixRMaj X, DMatrixRMaj R) {
        layer.zeroGrad();
        layer.setInputGradientNeeded(true);
        layer.forward(X);
        DMatrixRMaj dX = layer.backward(R).copy();
        DoubleSupplier f = () -> GradCheck.weightedSum(layer.forward(X), R);
        double worst = compare(what + " dX", dX, GradCheck.numeric(X, f));
        for (Parameter p : layer.parameters()) {
            DMatrixRMaj analytic = p.grad().copy();
            worst = Math.max(worst, compare(what + " d" + p.name(), analytic, GradCheck.numeric(p.value(), f)));
        }
        return worst;
    }

    /** Asserts like {@link GradCheck#assertMatches} and prints the relative error. */
    static double compare(String what, DMatrixRMaj analytic, DMatrixRMaj numeric) {
        double err = GradCheck.relativeError(analytic, numeric);
        System.out.printf("finite-difference check %-40s relative error %.3e%n", what, err);
        GradCheck.assertMatches(what, analytic, numeric);
        return err;
    }
}
