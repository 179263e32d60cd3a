package dev.gradwatch.trainer.data;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TeacherTaskTest {

    @Test
    void aSeedGivesTheSameStreamOfBatches() {
        TeacherTask a = TeacherTask.regression(10, 2, 5);
        TeacherTask b = TeacherTask.regression(10, 2, 5);
        DMatrixRMaj Xa = new DMatrixRMaj(1, 1), Ta = new DMatrixRMaj(1, 1);
        DMatrixRMaj Xb = new DMatrixRMaj(1, 1), Tb = new DMatrixRMaj(1, 1);
        for (int i = 0; i < 3; i++) {
            a.nextBatch(16, Xa, Ta);
            b.nextBatch(16, Xb, Tb);
            assertArrayEquals(Xa.data, Xb.data, 0);
            assertArrayEquals(Ta.data, Tb.data, 0);
        }
        TeacherTask other = TeacherTask.regression(10, 2, 6);
        other.nextBatch(16, Xb, Tb);
        a.nextBatch(16, Xa, Ta);
        assertFalse(Xa.get(0, 0) == Xb.get(0, 0));
    }

    @Test
    void regressionTargetsHaveAboutUnitVarianceAndClassificationLabelsAreBalancedZerosAndOnes() {
        DMatrixRMaj X = new DMatrixRMaj(1, 1), T = new DMatrixRMaj(1, 1);
        TeacherTask regression = TeacherTask.regression(32, 1, 1);
        regression.nextBatch(20000, X, T);
        assertEquals(20000, X.numRows);
        assertEquals(32, X.numCols);
        double s = 0, s2 = 0;
        for (double t : T.data) {
            s += t;
            s2 += t * t;
        }
        double var = s2 / T.data.length - (s / T.data.length) * (s / T.data.length);
        assertTrue(var > 0.5 && var < 2, "target variance " + var);

        TeacherTask classification = TeacherTask.classification(32, 3, 1);
        classification.nextBatch(20000, X, T);
        double ones = 0;
        for (double t : T.data) {
            assertTrue(t == 0 || t == 1);
            ones += t;
        }
        double share = ones / T.data.length;
        assertTrue(share > 0.3 && share < 0.7, "share of ones " + share);
    }

    @Test
    void buffersAreReshapedInPlaceWhenLargeEnough() {
        DMatrixRMaj X = new DMatrixRMaj(64, 8), T = new DMatrixRMaj(64, 1);
        double[] data = X.data;
        TeacherTask.regression(8, 1, 1).nextBatch(32, X, T);
        assertSame(data, X.data);
        assertEquals(32, X.numRows);
    }
}
