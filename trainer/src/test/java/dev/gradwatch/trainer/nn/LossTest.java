package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LossTest {

    @Test
    void meanSquaredErrorGradientMatchesCentralDifferences() {
        SplittableRandom rng = new SplittableRandom(21);
        DMatrixRMaj Y = GradCheck.gaussian(5, 3, 1, rng);
        DMatrixRMaj T = GradCheck.gaussian(5, 3, 1, rng);
        Loss mse = new MeanSquaredError();
        mse.forward(Y, T);
        DMatrixRMaj dY = mse.backward().copy();
        GradCheck.assertMatches("mse dY", dY, GradCheck.numeric(Y, () -> mse.forward(Y, T)));
    }

    @Test
    void meanSquaredErrorIsTheMeanOverAllEntries() {
        DMatrixRMaj Y = new DMatrixRMaj(new double[][]{{1, 2}, {3, 4}});
        DMatrixRMaj T = new DMatrixRMaj(new double[][]{{0, 2}, {3, 2}});
        assertEquals((1 + 0 + 0 + 4) / 4.0, new MeanSquaredError().forward(Y, T));
    }

    @Test
    void binaryCrossEntropyGradientMatchesCentralDifferencesForHardAndSoftTargets() {
        SplittableRandom rng = new SplittableRandom(22);
        DMatrixRMaj Z = GradCheck.gaussian(6, 2, 2, rng);
        DMatrixRMaj T = new DMatrixRMaj(6, 2);
        for (int i = 0; i < T.data.length; i++) T.data[i] = i % 3 == 0 ? 0.3 : (i % 2);
        Loss bce = new BinaryCrossEntropyWithLogits();
        bce.forward(Z, T);
        DMatrixRMaj dZ = bce.backward().copy();
        GradCheck.assertMatches("bce dZ", dZ, GradCheck.numeric(Z, () -> bce.forward(Z, T)));
    }

    @Test
    void binaryCrossEntropyAgreesWithTheTextbookFormulaForModerateLogits() {
        DMatrixRMaj Z = new DMatrixRMaj(new double[][]{{-2.5, 0.0, 1.25, 3.0}});
        DMatrixRMaj T = new DMatrixRMaj(new double[][]{{0, 1, 1, 0.5}});
        double expected = 0;
        for (int i = 0; i < 4; i++) {
            double p = 1 / (1 + Math.exp(-Z.data[i]));
            expected += -(T.data[i] * Math.log(p) + (1 - T.data[i]) * Math.log(1 - p));
        }
        assertEquals(expected / 4, new BinaryCrossEntropyWithLogits().forward(Z, T), 1e-14);
    }

    @Test
    void binaryCrossEntropyOnLogitsStaysFiniteAndExactForHugeLogits() {
        DMatrixRMaj Z = new DMatrixRMaj(new double[][]{{1000, -1000, 1000, -1000}});
        DMatrixRMaj T = new DMatrixRMaj(new double[][]{{1, 0, 0, 1}});
        Loss bce = new BinaryCrossEntropyWithLogits();
        // right and confident: 0; wrong and confident: |z| = 1000
        assertEquals(500.0, bce.forward(Z, T));
        assertArrayEquals(new double[]{0, 0, 0.25, -0.25}, bce.backward().data, 0);
    }

    @Test
    void shapesMustAgreeAndNamesParse() {
        assertThrows(IllegalArgumentException.class,
                () -> new MeanSquaredError().forward(new DMatrixRMaj(2, 1), new DMatrixRMaj(1, 2)));
        assertEquals("bce", Loss.of("bce").name());
        assertThrows(IllegalArgumentException.class, () -> Loss.of("hinge"));
    }
}
