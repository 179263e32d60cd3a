package dev.gradwatch.trainer.data;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The two-spirals and parity tasks: shapes, targets that follow from the inputs, balance, seeding. */
class SyntheticClassesTest {

    @Test
    void parityTargetIsOneExactlyWhenAnOddNumberOfBitsAreSet() {
        Parity task = new Parity(6, 1, 42);
        DMatrixRMaj X = new DMatrixRMaj(1, 1), T = new DMatrixRMaj(1, 1);
        task.nextBatch(500, X, T);
        assertEquals(6, X.numCols);
        int odd = 0;
        for (int r = 0; r < 500; r++) {
            int ones = 0;
            for (int j = 0; j < 6; j++) {
                double x = X.get(r, j);
                assertTrue(x == 1 || x == -1, "bits are ±1, got " + x);
                if (x == 1) ones++;
            }
            assertEquals(ones % 2, (int) T.get(r, 0), "row " + r);
            odd += ones % 2;
        }
        assertTrue(odd > 200 && odd < 300, "about balanced: " + odd + " odd of 500");
    }

    @Test
    void parityWithTwoOutputsGivesOneHotRows() {
        Parity task = new Parity(3, 2, 1);
        DMatrixRMaj X = new DMatrixRMaj(1, 1), T = new DMatrixRMaj(1, 1);
        task.nextBatch(50, X, T);
        for (int r = 0; r < 50; r++) {
            int ones = 0;
            for (int j = 0; j < 3; j++) if (X.get(r, j) == 1) ones++;
            assertEquals(1.0, T.get(r, ones % 2));
            assertEquals(0.0, T.get(r, 1 - ones % 2));
        }
        assertThrows(IllegalArgumentException.class, () -> new Parity(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Parity(4, 3, 1));
    }

    @Test
    void spiralPointsLieOnTheirClassArmWithoutNoise() {
        TwoSpirals task = new TwoSpirals(1, 1.5, 0, 9);
        DMatrixRMaj X = new DMatrixRMaj(1, 1), T = new DMatrixRMaj(1, 1);
        task.nextBatch(400, X, T);
        double span = 1.5 * 2 * Math.PI;
        int ones = 0;
        for (int r = 0; r < 400; r++) {
            double x = X.get(r, 0), y = X.get(r, 1);
            double radius = Math.hypot(x, y);
            assertTrue(radius <= 1 + 1e-12);
            int c = (int) T.get(r, 0);
            ones += c;
            // on arm c, the point at radius ρ has angle θ = ρ·span (+π for class 1): rotate back and compare
            double theta = radius * span + c * Math.PI;
            assertEquals(radius * Math.cos(theta), x, 1e-9);
            assertEquals(radius * Math.sin(theta), y, 1e-9);
        }
        assertTrue(ones > 150 && ones < 250, "about balanced: " + ones);
    }

    @Test
    void sameSeedSameBatchesAndTwoOutputsAreOneHot() {
        DMatrixRMaj X1 = new DMatrixRMaj(1, 1), T1 = new DMatrixRMaj(1, 1), X2 = new DMatrixRMaj(1, 1), T2 = new DMatrixRMaj(1, 1);
        new TwoSpirals(2, 2, 0.1, 5).nextBatch(64, X1, T1);
        new TwoSpirals(2, 2, 0.1, 5).nextBatch(64, X2, T2);
        assertArrayEquals(X1.data, X2.data);
        assertArrayEquals(T1.data, T2.data);
        for (int r = 0; r < 64; r++) assertEquals(1.0, T1.get(r, 0) + T1.get(r, 1));
        new TwoSpirals(2, 2, 0.1, 6).nextBatch(64, X2, T2);
        assertNotEquals(X1.get(0, 0), X2.get(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new TwoSpirals(3, 1, 0, 1));
    }
}
