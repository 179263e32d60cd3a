package dev.gradwatch.trainer.data;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class IdxFileTest {

    /** Writes an IDX file of unsigned bytes, gzipped when the name ends in .gz. */
    static void writeIdx(Path file, int[] dims, byte[] data) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream os = file.toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw;
             DataOutputStream out = new DataOutputStream(os)) {
            out.writeInt(0x0800 | dims.length);
            for (int d : dims) out.writeInt(d);
            out.write(data);
        }
    }

    /** A tiny Fashion-MNIST look-alike: n images of 2×3 pixels, pixel j of image i = 10·i + j. */
    static void writeTinySet(Path dir, String prefix, int n, boolean gzip) throws IOException {
        byte[] px = new byte[n * 6];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 6; j++) px[i * 6 + j] = (byte) (10 * i + j);
            labels[i] = (byte) (i % 10);
        }
        String gz = gzip ? ".gz" : "";
        writeIdx(dir.resolve(prefix + "-images-idx3-ubyte" + gz), new int[]{n, 2, 3}, px);
        writeIdx(dir.resolve(prefix + "-labels-idx1-ubyte" + gz), new int[]{n}, labels);
    }

    @Test
    void readsImagesAndLabelsPlainAndGzipped(@TempDir Path dir) throws IOException {
        writeTinySet(dir, "train", 12, true);
        writeTinySet(dir, "t10k", 5, false);
        IdxFile img = IdxFile.read(dir.resolve("train-images-idx3-ubyte.gz"));
        assertArrayEquals(new int[]{12, 2, 3}, img.dims());
        assertEquals(6, img.itemSize());
        assertEquals(10 * 11 + 5, img.get(11, 5));

        LabeledImages test = LabeledImages.fashionMnist(dir, false, 1);
        assertEquals(5, test.size());
        assertEquals(6, test.inputDim());
        assertEquals(10, test.outputDim());
        DMatrixRMaj X = new DMatrixRMaj(1, 1);
        int[] y = new int[5];
        test.slice(0, 5, X, y);
        assertEquals((10 * 3 + 2) / 255.0, X.get(3, 2), 1e-15);
        assertArrayEquals(new int[]{0, 1, 2, 3, 4}, y);
    }

    @Test
    void batchesVisitEveryItemOncePerEpochWithOneHotTargets(@TempDir Path dir) throws IOException {
        writeTinySet(dir, "train", 12, false);
        LabeledImages train = LabeledImages.fashionMnist(dir, true, 7);
        DMatrixRMaj X = new DMatrixRMaj(1, 1);
        DMatrixRMaj T = new DMatrixRMaj(1, 1);
        Set<Integer> seen = new HashSet<>();
        for (int b = 0; b < 3; b++) {
            train.nextBatch(4, X, T);
            for (int r = 0; r < 4; r++) {
                int item = (int) Math.round(X.get(r, 0) * 255 / 10); // pixel 0 of item i is 10·i
                assertTrue(seen.add(item), "item " + item + " twice in one epoch");
                double rowSum = 0;
                for (int c = 0; c < 10; c++) rowSum += T.get(r, c);
                assertEquals(1.0, rowSum);
                assertEquals(1.0, T.get(r, item % 10));
            }
        }
        assertEquals(12, seen.size());
        assertEquals(0, train.epoch());
        train.nextBatch(1, X, T);
        assertEquals(1, train.epoch());
    }

    @Test
    void badFilesSayWhatIsWrong(@TempDir Path dir) throws IOException {
        Path notIdx = dir.resolve("x");
        Files.write(notIdx, new byte[]{1, 2, 3, 4, 5});
        assertTrue(assertThrows(IOException.class, () -> IdxFile.read(notIdx)).getMessage().contains("not an IDX file"));

        Path floats = dir.resolve("f");
        writeIdx(floats, new int[]{1}, new byte[4]);
        byte[] b = Files.readAllBytes(floats);
        b[2] = 0x0D; // float elements
        Files.write(floats, b);
        assertTrue(assertThrows(IOException.class, () -> IdxFile.read(floats)).getMessage().contains("0xd is not supported"));

        Path truncated = dir.resolve("t");
        writeIdx(truncated, new int[]{4, 2}, new byte[8]);
        byte[] t = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(t, t.length - 3));
        assertTrue(assertThrows(IOException.class, () -> IdxFile.read(truncated)).getMessage().contains("truncated"));

        IOException missing = assertThrows(IOException.class, () -> LabeledImages.fashionMnist(dir, true, 1));
        assertTrue(missing.getMessage().contains("dataset-fashion-mnist"), missing.getMessage());

        writeIdx(dir.resolve("train-images-idx3-ubyte"), new int[]{3, 1}, new byte[3]);
        writeIdx(dir.resolve("train-labels-idx1-ubyte"), new int[]{2}, new byte[2]);
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                () -> LabeledImages.fashionMnist(dir, true, 1));
        assertTrue(mismatch.getMessage().contains("3 images but 2 labels"));
    }
}
