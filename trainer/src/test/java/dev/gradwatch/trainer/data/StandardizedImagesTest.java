package dev.gradwatch.trainer.data;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class StandardizedImagesTest {

    @Test
    void standardizedPixelsHaveZeroMeanAndUnitStdOverTheSet(@TempDir Path dir) throws IOException {
        IdxFileTest.writeTinySet(dir, "train", 12, false);
        LabeledImages set = LabeledImages.fashionMnist(dir, true, 1);
        double[] ms = set.pixelMeanAndStd();
        // pixels 10·i + j, i < 12, j < 6: mean (10·5.5 + 2.5)/255
        assertEquals((10 * 5.5 + 2.5) / 255, ms[0], 1e-15);
        set.standardize(ms[0], ms[1]);
        DMatrixRMaj X = new DMatrixRMaj(1, 1);
        set.slice(0, 12, X, new int[12]);
        double sum = 0, sumSq = 0;
        for (double x : X.data) {
            sum += x;
            sumSq += x * x;
        }
        assertEquals(0, sum / 72, 1e-12);
        assertEquals(1, sumSq / 72, 1e-12);
        assertThrows(IllegalArgumentException.class, () -> set.standardize(0, 0));
    }
}
