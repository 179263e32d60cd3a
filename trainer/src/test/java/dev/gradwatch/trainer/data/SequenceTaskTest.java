package dev.gradwatch.trainer.data;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The adding problem and the copy task: shapes, layout and targets. */
class SequenceTaskTest {

    @Test
    void addingProblemMarksOneStepInEachHalfAndTargetsTheSumOfTheMarkedValues() {
        int steps = 10, batch = 64;
        AddingProblem task = new AddingProblem(steps, 1);
        DMatrixRMaj X = new DMatrixRMaj(1, 1), T = new DMatrixRMaj(1, 1);
        task.nextBatch(batch, X, T);
        assertEquals(steps * batch, X.numRows);
        assertEquals(2, X.numCols);
        assertEquals(batch, T.numRows);
        assertEquals(1, T.numCols);
        assertFalse(task.targetsEveryTimeStep());
        for (int n = 0; n < batch; n++) {
            int firstHalf = 0, secondHalf = 0;
            double sum = 0;
            for (int t = 0; t < steps; t++) {
                int row = t * batch + n;
                double value = X.get(row, 0), marker = X.get(row, 1);
                assertTrue(value >= 0 && value < 1);
                assertTrue(marker == 0 || marker == 1);
                if (marker == 1) {
                    sum += value;
                    if (t < steps / 2) firstHalf++;
                    else secondHalf++;
                }
            }
            assertEquals(1, firstHalf, "one marker in the first half of sample " + n);
            assertEquals(1, secondHalf, "one marker in the second half of sample " + n);
            assertEquals(sum, T.get(n, 0), 0);
        }
    }

    @Test
    void addingProblemTargetsHaveTheVarianceThatMakesTheBaselineOneSixth() {
        AddingProblem task = new AddingProblem(10, 2);
        DMatrixRMaj X = new DMatrixRMaj(1, 1), T = new DMatrixRMaj(1, 1);
        double mse = 0;
        int batches = 200, batch = 100;
        for (int i = 0; i < batches; i++) {
            task.nextBatch(batch, X, T);
            for (double y : T.data) mse += (y - 1) * (y - 1) / (batches * batch);
        }
        assertEquals(AddingProblem.BASELINE_MSE, mse, 0.01);
    }

    @Test
    void copyTaskShowsTheSymbolsThenTheDelimiterAndAsksForThemBackAfterTheDelay() {
        int symbols = 4, length = 3, delay = 5, batch = 7;
        CopyTask task = new CopyTask(symbols, length, delay, 3);
        int steps = task.timeSteps();
        assertEquals(2 * length + delay, steps);
        assertTrue(task.targetsEveryTimeStep());
        DMatrixRMaj X = new DMatrixRMaj(1, 1), T = new DMatrixRMaj(1, 1);
        task.nextBatch(batch, X, T);
        assertEquals(steps * batch, X.numRows);
        assertEquals(symbols + 2, X.numCols);
        assertEquals(steps * batch, T.numRows);
        assertEquals(symbols + 1, T.numCols);
        for (int n = 0; n < batch; n++) {
            int[] in = new int[steps], out = new int[steps];
            for (int t = 0; t < steps; t++) {
                in[t] = oneHotClass(X, t * batch + n);
                out[t] = oneHotClass(T, t * batch + n);
            }
            for (int t = 0; t < steps; t++) {
                if (t < length) assertTrue(in[t] >= 1 && in[t] <= symbols, "a symbol at step " + t);
                else if (t == length + delay - 1) assertEquals(symbols + 1, in[t], "the delimiter");
                else assertEquals(0, in[t], "blank input at step " + t);
                int expected = t >= length + delay ? in[t - length - delay] : 0;
                assertEquals(expected, out[t], "target at step " + t);
            }
        }
    }

    @Test
    void copyTaskWithTheShortestDelayPutsTheDelimiterRightAfterTheSymbols() {
        CopyTask task = new CopyTask(2, 2, 1, 4);
        DMatrixRMaj X = new DMatrixRMaj(1, 1), T = new DMatrixRMaj(1, 1);
        task.nextBatch(1, X, T);
        assertEquals(5, task.timeSteps());
        assertArrayEquals(new double[]{0, 0, 0, 1}, row(X, 2), 0);
        assertArrayEquals(row(X, 0), padded(row(T, 3), 4), 0);
        assertArrayEquals(row(X, 1), padded(row(T, 4), 4), 0);
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AddingProblem(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new CopyTask(0, 3, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new CopyTask(4, 3, 0, 0));
    }

    private static int oneHotClass(DMatrixRMaj M, int row) {
        int found = -1;
        for (int c = 0; c < M.numCols; c++) {
            double v = M.get(row, c);
            assertTrue(v == 0 || v == 1, "one-hot entries are 0 or 1");
            if (v == 1) {
                assertEquals(-1, found, "exactly one class in row " + row);
                found = c;
            }
        }
        assertTrue(found >= 0, "one class in row " + row);
        return found;
    }

    private static double[] row(DMatrixRMaj M, int r) {
        double[] out = new double[M.numCols];
        for (int c = 0; c < out.length; c++) out[c] = M.get(r, c);
        return out;
    }

    private static double[] padded(double[] a, int n) {
        return java.util.Arrays.copyOf(a, n);
    }
}
