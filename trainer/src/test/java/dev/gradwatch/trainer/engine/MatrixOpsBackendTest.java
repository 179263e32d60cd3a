package dev.gradwatch.trainer.engine;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every product of every backend against EJML's single-threaded result. The BLAS backends are
 * checked with whatever netlib-java loads here (the native library where one is installed, its Java
 * implementation otherwise) and with its Java implementation explicitly, so a machine without a
 * native BLAS still runs the row-major to column-major mapping.
 */
class MatrixOpsBackendTest {

    /** |BLAS − EJML| per entry, relative to Σₖ|aᵢₖ||bₖⱼ|, the scale a dot product's rounding is bounded by. */
    private static final double TOLERANCE = 1e-12;

    private static final int[][] SHAPES = {
            {1, 1, 1}, {3, 5, 2}, {7, 13, 5}, {17, 1, 9}, {64, 100, 33}, {64, 256, 256}, {128, 300, 70}};

    private final MatrixOps.Backend before = MatrixOps.backend();

    @AfterEach
    void restore() {
        MatrixOps.setBackend(before);
    }

    private static DMatrixRMaj random(int rows, int cols, SplittableRandom rng) {
        DMatrixRMaj M = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < M.data.length; i++) M.data[i] = rng.nextGaussian();
        return M;
    }

    private static DMatrixRMaj abs(DMatrixRMaj M) {
        DMatrixRMaj R = M.copy();
        for (int i = 0; i < R.data.length; i++) R.data[i] = Math.abs(R.data[i]);
        return R;
    }

    private static void assertClose(String what, DMatrixRMaj expected, DMatrixRMaj actual, DMatrixRMaj scale) {
        assertEquals(expected.numRows, actual.numRows, what + ": rows");
        assertEquals(expected.numCols, actual.numCols, what + ": columns");
        for (int i = 0; i < expected.getNumElements(); i++) {
            double err = Math.abs(expected.data[i] - actual.data[i]);
            double s = Math.max(scale.data[i], Double.MIN_NORMAL);
            assertTrue(err <= TOLERANCE * s, what + ": entry " + i + " differs by " + err + " at scale " + s);
        }
    }

    private static List<BLAS> implementations() {
        List<BLAS> impls = new ArrayList<>();
        impls.add(BLAS.getInstance());
        impls.add(JavaBLAS.getInstance());
        return impls;
    }

    @Test
    void everyProductOfEveryBlasImplementationMatchesEjml() {
        SplittableRandom rng = new SplittableRandom(5);
        for (BLAS blas : implementations()) {
            String impl = blas.getClass().getSimpleName();
            for (int[] s : SHAPES) {
                int m = s[0], k = s[1], n = s[2];
                String at = impl + " " + m + "×" + k + "·" + k + "×" + n;
                DMatrixRMaj A = random(m, k, rng);
                DMatrixRMaj B = random(k, n, rng);

                DMatrixRMaj expected = new DMatrixRMaj(m, n);
                CommonOps_DDRM.mult(A, B, expected);
                DMatrixRMaj scale = new DMatrixRMaj(m, n);
                CommonOps_DDRM.mult(abs(A), abs(B), scale);
                DMatrixRMaj C = new DMatrixRMaj(1, 1); // reshaped by the product
                MatrixOps.mult(blas, A, B, C);
                assertClose(at + " mult", expected, C, scale);

                // C += Aᵀ·B with A m×k and B m×n, on top of existing values
                DMatrixRMaj Bm = random(m, n, rng);
                DMatrixRMaj start = random(k, n, rng);
                DMatrixRMaj expectedT = start.copy();
                CommonOps_DDRM.multAddTransA(A, Bm, expectedT);
                DMatrixRMaj scaleT = abs(start);
                CommonOps_DDRM.multAddTransA(abs(A), abs(Bm), scaleT);
                DMatrixRMaj CT = start.copy();
                MatrixOps.multAddTransA(blas, A, Bm, CT);
                assertClose(at + " multAddTransA", expectedT, CT, scaleT);

                // C = A·Bᵀ with B n×k
                DMatrixRMaj Bn = random(n, k, rng);
                DMatrixRMaj expectedB = new DMatrixRMaj(m, n);
                CommonOps_DDRM.multTransB(A, Bn, expectedB);
                DMatrixRMaj scaleB = new DMatrixRMaj(m, n);
                CommonOps_DDRM.multTransB(abs(A), abs(Bn), scaleB);
                DMatrixRMaj CB = new DMatrixRMaj(m, n);
                MatrixOps.multTransB(blas, A, Bn, CB);
                assertClose(at + " multTransB", expectedB, CB, scaleB);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(MatrixOps.Backend.class)
    void theProcessWideOpsOfEachBackendMatchEjml(MatrixOps.Backend backend) {
        MatrixOps.setBackend(backend);
        assertEquals(backend, MatrixOps.backend());
        SplittableRandom rng = new SplittableRandom(9);
        DMatrixRMaj A = random(33, 70, rng);
        DMatrixRMaj B = random(70, 21, rng);
        DMatrixRMaj expected = new DMatrixRMaj(33, 21);
        CommonOps_DDRM.mult(A, B, expected);
        DMatrixRMaj scale = new DMatrixRMaj(33, 21);
        CommonOps_DDRM.mult(abs(A), abs(B), scale);
        DMatrixRMaj C = new DMatrixRMaj(33, 21);
        MatrixOps.mult(A, B, C);
        assertClose(backend + " mult", expected, C, scale);

        DMatrixRMaj Bt = new DMatrixRMaj(1, 1);
        DMatrixRMaj BT = new DMatrixRMaj(21, 70);
        CommonOps_DDRM.transpose(B, BT);
        DMatrixRMaj C2 = new DMatrixRMaj(33, 21);
        MatrixOps.multTransB(A, BT, Bt, C2);
        assertClose(backend + " multTransB", expected, C2, scale);

        DMatrixRMaj G = new DMatrixRMaj(70, 21);
        DMatrixRMaj D = random(33, 21, rng);
        DMatrixRMaj expectedG = new DMatrixRMaj(70, 21);
        CommonOps_DDRM.multAddTransA(A, D, expectedG);
        DMatrixRMaj scaleG = new DMatrixRMaj(70, 21);
        CommonOps_DDRM.multAddTransA(abs(A), abs(D), scaleG);
        MatrixOps.multAddTransA(A, D, G);
        assertClose(backend + " multAddTransA", expectedG, G, scaleG);

        // a block of 9 rows of A from row 11 into rows 20-28 of a taller C, overwritten and then added to;
        // the rows around the block must not change
        DMatrixRMaj Ab = new DMatrixRMaj(9, 70);
        CommonOps_DDRM.extract(A, 11, 20, 0, 70, Ab, 0, 0);
        DMatrixRMaj expectedBlock = new DMatrixRMaj(9, 21);
        CommonOps_DDRM.mult(Ab, B, expectedBlock);
        DMatrixRMaj scaleBlock = new DMatrixRMaj(9, 21);
        CommonOps_DDRM.mult(abs(Ab), abs(B), scaleBlock);
        DMatrixRMaj tall = random(40, 21, rng);
        DMatrixRMaj before = tall.copy();
        MatrixOps.multRows(A, 11, B, tall, 20, 9, false);
        DMatrixRMaj block = new DMatrixRMaj(9, 21);
        CommonOps_DDRM.extract(tall, 20, 29, 0, 21, block, 0, 0);
        assertClose(backend + " multRows", expectedBlock, block, scaleBlock);
        MatrixOps.multRows(A, 11, B, tall, 20, 9, true);
        CommonOps_DDRM.extract(tall, 20, 29, 0, 21, block, 0, 0);
        CommonOps_DDRM.scale(2, expectedBlock);
        CommonOps_DDRM.scale(2, scaleBlock);
        assertClose(backend + " multRows adding", expectedBlock, block, scaleBlock);
        for (int r = 0; r < 40; r++) {
            if (r >= 20 && r < 29) continue;
            for (int c = 0; c < 21; c++) assertEquals(before.get(r, c), tall.get(r, c), backend + " row " + r);
        }

        if (backend == MatrixOps.Backend.BLAS_JAVA) {
            assertTrue(MatrixOps.blas(backend) instanceof JavaBLAS, MatrixOps.blas(backend).getClass().getName());
        }
    }

    @Test
    void mismatchedShapesAreRejectedWithTheShapes() {
        BLAS blas = JavaBLAS.getInstance();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MatrixOps.mult(blas, new DMatrixRMaj(2, 3), new DMatrixRMaj(4, 5), new DMatrixRMaj(2, 5)));
        assertTrue(e.getMessage().contains("2×3") && e.getMessage().contains("4×5"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> MatrixOps.multAddTransA(blas, new DMatrixRMaj(2, 3), new DMatrixRMaj(2, 5), new DMatrixRMaj(2, 5)));
    }

    @Test
    void backendNamesParseAndUnknownOnesAreNamed() {
        assertEquals(MatrixOps.Backend.BLAS, MatrixOps.Backend.parse("BLAS"));
        assertEquals(MatrixOps.Backend.EJML_CONCURRENT, MatrixOps.Backend.parse("ejml-concurrent"));
        assertEquals(MatrixOps.Backend.BLAS_JAVA, MatrixOps.Backend.parse(" blas-java "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatrixOps.Backend.parse("mkl"));
        assertTrue(e.getMessage().contains("matrix backend") && e.getMessage().contains("mkl"), e.getMessage());
    }
}
