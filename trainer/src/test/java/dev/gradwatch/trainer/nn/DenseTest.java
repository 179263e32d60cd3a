package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DenseTest {

    @ParameterizedTest
    @ValueSource(strings = {"sigmoid", "tanh", "relu", "linear"})
    void weightBiasAndInputGradientsMatchCentralDifferences(String activation) {
        SplittableRandom rng = new SplittableRandom(3);
        Dense dense = new Dense("d", 5, 4, Activation.of(activation), new Init.Normal(0.5), rng);
        DMatrixRMaj b = dense.bias().value();
        for (int i = 0; i < b.data.length; i++) b.data[i] = 0.3 * rng.nextGaussian();
        DMatrixRMaj X = GradCheck.gaussian(3, 5, 1.0, rng);
        DMatrixRMaj R = GradCheck.gaussian(3, 4, 1.0, rng);

        dense.zeroGrad();
        DMatrixRMaj A = dense.forward(X);
        DMatrixRMaj dX = dense.backward(R).copy();
        DMatrixRMaj dW = dense.weights().grad().copy();
        DMatrixRMaj db = dense.bias().grad().copy();

        assertEquals(3, A.numRows);
        assertEquals(4, A.numCols);
        DoubleSupplier loss = () -> GradCheck.weightedSum(dense.forward(X), R);
        GradCheck.assertMatches(activation + " dW", dW, GradCheck.numeric(dense.weights().value(), loss));
        GradCheck.assertMatches(activation + " db", db, GradCheck.numeric(dense.bias().value(), loss));
        GradCheck.assertMatches(activation + " dX", dX, GradCheck.numeric(X, loss));
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        SplittableRandom rng = new SplittableRandom(5);
        Dense dense = new Dense("d", 3, 2, Activation.TANH, new Init.XavierUniform(), rng);
        DMatrixRMaj X = GradCheck.gaussian(4, 3, 1.0, rng);
        DMatrixRMaj R = GradCheck.gaussian(4, 2, 1.0, rng);
        dense.zeroGrad();
        dense.forward(X);
        dense.backward(R);
        DMatrixRMaj once = dense.weights().grad().copy();
        dense.forward(X);
        dense.backward(R);
        for (int i = 0; i < once.data.length; i++) {
            assertEquals(2 * once.data[i], dense.weights().grad().data[i], 1e-12);
        }
        dense.zeroGrad();
        for (double g : dense.weights().grad().data) assertEquals(0.0, g);
    }

    @Test
    void switchingOffTheInputGradientLeavesParameterGradientsAlone() {
        SplittableRandom rng = new SplittableRandom(5);
        Dense dense = new Dense("d", 3, 2, Activation.RELU, new Init.HeNormal(), rng);
        DMatrixRMaj X = GradCheck.gaussian(4, 3, 1.0, rng);
        DMatrixRMaj R = GradCheck.gaussian(4, 2, 1.0, rng);
        dense.forward(X);
        dense.backward(R);
        DMatrixRMaj withInput = dense.weights().grad().copy();
        dense.zeroGrad();
        dense.setInputGradientNeeded(false);
        dense.forward(X);
        assertNull(dense.backward(R));
        for (int i = 0; i < withInput.data.length; i++) assertEquals(withInput.data[i], dense.weights().grad().data[i]);
    }

    @Test
    void buffersAreReusedAcrossStepsAndReshapedForANewBatchSize() {
        SplittableRandom rng = new SplittableRandom(1);
        Dense dense = new Dense("d", 3, 2, Activation.SIGMOID, new Init.PytorchDefault(), rng);
        DMatrixRMaj first = dense.forward(GradCheck.gaussian(8, 3, 1, rng));
        DMatrixRMaj second = dense.forward(GradCheck.gaussian(5, 3, 1, rng));
        assertSame(first, second);
        assertEquals(5, second.numRows);
        assertEquals("dense/sigmoid", dense.kind());
        assertEquals(3 * 2 + 2, dense.parameterCount());
        assertThrows(IllegalArgumentException.class, () -> dense.forward(new DMatrixRMaj(2, 4)));
    }
}
