package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationTest {

    @ParameterizedTest
    @ValueSource(strings = {"sigmoid", "tanh", "relu", "leaky-relu:0.1", "linear"})
    void backwardMatchesCentralDifferences(String name) {
        Activation f = Activation.of(name);
        SplittableRandom rng = new SplittableRandom(11);
        DMatrixRMaj Z = GradCheck.gaussian(4, 6, 1.5, rng);
        GradCheck.assertAwayFromZero("Z", Z, 1e-3);
        DMatrixRMaj R = GradCheck.gaussian(4, 6, 1.0, rng);
        DMatrixRMaj A = new DMatrixRMaj(4, 6);
        DMatrixRMaj dZ = new DMatrixRMaj(4, 6);

        f.forward(Z, A);
        f.backward(Z, A, R, dZ);

        DMatrixRMaj numeric = GradCheck.numeric(Z, () -> {
            DMatrixRMaj out = new DMatrixRMaj(4, 6);
            f.forward(Z, out);
            return GradCheck.weightedSum(out, R);
        });
        GradCheck.assertMatches(name + " dZ", dZ, numeric);
    }

    @Test
    void sigmoidStaysFiniteAndExactAtExtremeInputs() {
        DMatrixRMaj Z = new DMatrixRMaj(new double[][]{{-1000, -40, 0, 40, 1000}});
        DMatrixRMaj A = new DMatrixRMaj(1, 5);
        Activation.SIGMOID.forward(Z, A);
        assertEquals(0.0, A.get(0, 0));
        assertEquals(Math.exp(-40) / (1 + Math.exp(-40)), A.get(0, 1), 1e-30);
        assertEquals(0.5, A.get(0, 2));
        assertEquals(1.0, A.get(0, 4));
        for (double a : A.data) assertTrue(Double.isFinite(a));
    }

    @Test
    void reluDerivativeAtZeroIsTheSlope() {
        DMatrixRMaj Z = new DMatrixRMaj(new double[][]{{0, -2, 3}});
        DMatrixRMaj A = new DMatrixRMaj(1, 3);
        DMatrixRMaj dZ = new DMatrixRMaj(1, 3);
        DMatrixRMaj dA = new DMatrixRMaj(new double[][]{{1, 1, 1}});
        Activation leaky = Activation.of("leaky-relu:0.1");
        leaky.forward(Z, A);
        leaky.backward(Z, A, dA, dZ);
        assertEquals(-0.2, A.get(0, 1), 1e-15);
        assertEquals(0.1, dZ.get(0, 0));
        assertEquals(0.1, dZ.get(0, 1));
        assertEquals(1.0, dZ.get(0, 2));
        Activation.RELU.backward(Z, A, dA, dZ);
        assertEquals(0.0, dZ.get(0, 0));
    }

    @Test
    void unknownNamesAreRejectedWithTheAcceptedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.of("swish"));
        assertTrue(e.getMessage().contains("sigmoid, tanh, relu"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Activation.of("leaky-relu:2"));
        assertEquals("leaky-relu:0.1", Activation.of("leaky-relu:0.1").name());
    }
}
