package dev.gradwatch.trainer.engine;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_MT_DDRM;

import java.util.Arrays;
import java.util.Locale;

/**
 * The matrix products of the hot path, for the whole process, through one of three backends:
 * <ul>
 *   <li>{@link Backend#EJML}: EJML's single-threaded {@code CommonOps_DDRM} (the default);</li>
 *   <li>{@link Backend#EJML_CONCURRENT}: EJML's {@code CommonOps_MT_DDRM} on its fork-join pool;</li>
 *   <li>{@link Backend#BLAS}: {@code dgemm} of netlib-java ({@code dev.ludovic.netlib:blas}), which
 *       calls the system's {@code libblas.so.3} through JNI (OpenBLAS where
 *       {@code libopenblas0-pthread} is installed; its thread count is {@code OPENBLAS_NUM_THREADS},
 *       read once when the library loads) and otherwise falls back to its pure-Java
 *       implementation (vectorised with {@code --add-modules jdk.incubator.vector}).</li>
 *   <li>{@link Backend#BLAS_JAVA}: netlib-java's Java implementation even where a native library
 *       is installed (what {@code blas} gives on a machine without one).</li>
 * </ul>
 * The matrices stay EJML {@link DMatrixRMaj} (row-major); BLAS is column-major, so a row-major
 * product C = A·B is computed as the column-major Cᵀ = Bᵀ·Aᵀ by swapping the operands, which
 * needs no copy.
 *
 * <p>Single-threaded EJML is the default: it needs nothing from the machine, allocates nothing
 * per step, gives the same bits on every machine, and a machine that runs several trainers, or a
 * trainer beside the monitor, gains nothing from threads that compete for the same cores. The
 * default can be changed with the system property {@value #BACKEND_PROPERTY} or the environment
 * variable {@value #BACKEND_ENV} ({@code ejml}, {@code ejml-concurrent}, {@code blas} or
 * {@code blas-java}).
 */
public final class MatrixOps {

    /** System property that names the backend at start-up. */
    public static final String BACKEND_PROPERTY = "gradwatch.matrix.backend";
    /** Environment variable that names the backend at start-up (the property wins). */
    public static final String BACKEND_ENV = "GRADWATCH_MATRIX_BACKEND";

    /** Where the products are computed. */
    public enum Backend {
        EJML("ejml"), EJML_CONCURRENT("ejml-concurrent"), BLAS("blas"), BLAS_JAVA("blas-java");

        private final String id;

        Backend(String id) {
            this.id = id;
        }

        /** The name used on the command line and in model files. */
        public String id() {
            return id;
        }

        /** {@code ejml}, {@code ejml-concurrent}, {@code blas} or {@code blas-java} (case-insensitive). */
        public static Backend parse(String s) {
            String k = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
            for (Backend b : values()) {
                if (b.id.equals(k)) return b;
            }
            throw new IllegalArgumentException("matrix backend: expected one of ejml, ejml-concurrent, blas, blas-java, got '" + s + "'");
        }

        @Override
        public String toString() {
            return id;
        }
    }

    private static volatile Backend backend = initialBackend();

    private MatrixOps() {
    }

    private static Backend initialBackend() {
        String p = System.getProperty(BACKEND_PROPERTY);
        if (p != null && !p.isBlank()) return Backend.parse(p);
        String e = System.getenv(BACKEND_ENV);
        if (e != null && !e.isBlank()) return Backend.parse(e);
        return Backend.EJML;
    }

    public static void setBackend(Backend b) {
        // load (and fail) here, not in the middle of a step
        if (b == Backend.BLAS) Blas.INSTANCE.getClass();
        if (b == Backend.BLAS_JAVA) JavaOnly.INSTANCE.getClass();
        backend = b;
    }

    public static Backend backend() {
        return backend;
    }

    /**
     * The BLAS implementation the backend uses ({@code JNIBLAS} for the native library,
     * {@code VectorBLAS} / {@code Java11BLAS} / {@code Java8BLAS} for netlib-java's Java
     * implementations), loading it if needed; {@code null} for the EJML backends.
     */
    public static BLAS blas(Backend b) {
        return switch (b) {
            case BLAS -> Blas.INSTANCE;
            case BLAS_JAVA -> JavaOnly.INSTANCE;
            default -> null;
        };
    }

    /** C = A · B */
    public static void mult(DMatrixRMaj A, DMatrixRMaj B, DMatrixRMaj C) {
        switch (backend) {
            case BLAS -> mult(Blas.INSTANCE, A, B, C);
            case BLAS_JAVA -> mult(JavaOnly.INSTANCE, A, B, C);
            case EJML_CONCURRENT -> CommonOps_MT_DDRM.mult(A, B, C);
            default -> CommonOps_DDRM.mult(A, B, C);
        }
    }

    /** C += Aᵀ · B */
    public static void multAddTransA(DMatrixRMaj A, DMatrixRMaj B, DMatrixRMaj C) {
        switch (backend) {
            case BLAS -> multAddTransA(Blas.INSTANCE, A, B, C);
            case BLAS_JAVA -> multAddTransA(JavaOnly.INSTANCE, A, B, C);
            case EJML_CONCURRENT -> CommonOps_MT_DDRM.multAddTransA(A, B, C);
            default -> CommonOps_DDRM.multAddTransA(A, B, C);
        }
    }

    /**
     * C = A · Bᵀ. EJML's {@code multTransB} is about half as fast as its plain {@code mult} on
     * larger layers (FACTS.md), so the EJML backends transpose B into {@code Bt} (B's columns ×
     * rows, reshaped if needed) and multiply; BLAS reads B transposed in place and leaves
     * {@code Bt} alone.
     */
    public static void multTransB(DMatrixRMaj A, DMatrixRMaj B, DMatrixRMaj Bt, DMatrixRMaj C) {
        switch (backend) {
            case BLAS -> multTransB(Blas.INSTANCE, A, B, C);
            case BLAS_JAVA -> multTransB(JavaOnly.INSTANCE, A, B, C);
            case EJML_CONCURRENT -> {
                Bt.reshape(B.numCols, B.numRows);
                CommonOps_MT_DDRM.transpose(B, Bt);
                CommonOps_MT_DDRM.mult(A, Bt, C);
            }
            default -> {
                Bt.reshape(B.numCols, B.numRows);
                CommonOps_DDRM.transpose(B, Bt);
                CommonOps_DDRM.mult(A, Bt, C);
            }
        }
    }

    /**
     * C[c0 + i, :] (+)= A[a0 + i, :] · B for i &lt; rows: the product of a block of rows of A into a
     * block of rows of C, which EJML's {@code mult} cannot address without a copy (the recurrent
     * layers' per-time-step products). BLAS takes the blocks by offset; the EJML backends use a
     * row-major i-k-j loop, as EJML's reorder kernel for small matrices.
     */
    public static void multRows(DMatrixRMaj A, int a0, DMatrixRMaj B, DMatrixRMaj C, int c0, int rows, boolean add) {
        int k = A.numCols, n = B.numCols;
        if (B.numRows != k || C.numCols != n || a0 < 0 || c0 < 0 || a0 + rows > A.numRows || c0 + rows > C.numRows) {
            throw new IllegalArgumentException("multRows: rows " + a0 + "+" + rows + " of " + shape(A) + " · " + shape(B)
                    + " into rows " + c0 + "+" + rows + " of " + shape(C));
        }
        BLAS blas = blas(backend);
        if (blas != null) {
            if (rows == 0 || n == 0) return;
            // column-major: C's block transposed (n × rows) (+)= Bᵀ (n × k) · A's block transposed (k × rows)
            blas.dgemm("N", "N", n, rows, k, 1.0, B.data, 0, n, A.data, a0 * k, k, add ? 1.0 : 0.0, C.data, c0 * n, n);
            return;
        }
        double[] a = A.data, w = B.data, c = C.data;
        for (int i = 0; i < rows; i++) {
            int cOff = (c0 + i) * n, aOff = (a0 + i) * k;
            if (!add) Arrays.fill(c, cOff, cOff + n, 0);
            for (int j = 0; j < k; j++) {
                double aij = a[aOff + j];
                for (int m = 0, wOff = j * n; m < n; m++) c[cOff + m] += aij * w[wOff + m];
            }
        }
    }

    // ---- row-major products through a column-major dgemm: a row-major m×n matrix is its
    // transpose in column-major order, with leading dimension n ----

    /** C = A·B with {@code blas}: column-major Cᵀ (n×m) = Bᵀ (n×k) · Aᵀ (k×m). */
    public static void mult(BLAS blas, DMatrixRMaj A, DMatrixRMaj B, DMatrixRMaj C) {
        int m = A.numRows, k = A.numCols, n = B.numCols;
        checkMult(A, B, C, k, B.numRows);
        C.reshape(m, n);
        if (m == 0 || n == 0) return;
        if (k == 0) {
            C.zero();
            return;
        }
        blas.dgemm("N", "N", n, m, k, 1.0, B.data, n, A.data, k, 0.0, C.data, n);
    }

    /** C += Aᵀ·B with {@code blas}; A is m×p, B m×n, C p×n: column-major Cᵀ += Bᵀ (n×m) · A (m×p). */
    public static void multAddTransA(BLAS blas, DMatrixRMaj A, DMatrixRMaj B, DMatrixRMaj C) {
        int m = A.numRows, p = A.numCols, n = B.numCols;
        if (B.numRows != m || C.numRows != p || C.numCols != n) {
            throw new IllegalArgumentException("multAddTransA: shapes " + shape(A) + "ᵀ · " + shape(B) + " += into " + shape(C));
        }
        if (p == 0 || n == 0 || m == 0) return;
        blas.dgemm("N", "T", n, p, m, 1.0, B.data, n, A.data, p, 1.0, C.data, n);
    }

    /** C = A·Bᵀ with {@code blas}; A is m×k, B n×k: column-major Cᵀ (n×m) = B (n×k) · Aᵀ (k×m). */
    public static void multTransB(BLAS blas, DMatrixRMaj A, DMatrixRMaj B, DMatrixRMaj C) {
        int m = A.numRows, k = A.numCols, n = B.numRows;
        checkMult(A, B, C, k, B.numCols);
        C.reshape(m, n);
        if (m == 0 || n == 0) return;
        if (k == 0) {
            C.zero();
            return;
        }
        blas.dgemm("T", "N", n, m, k, 1.0, B.data, k, A.data, k, 0.0, C.data, n);
    }

    private static void checkMult(DMatrixRMaj A, DMatrixRMaj B, DMatrixRMaj C, int k, int bInner) {
        if (k != bInner) {
            throw new IllegalArgumentException("product: inner dimensions differ, " + shape(A) + " and " + shape(B));
        }
        if (C == A || C == B) throw new IllegalArgumentException("product: the output must not be an operand");
    }

    private static String shape(DMatrixRMaj M) {
        return M.numRows + "×" + M.numCols;
    }

    /** Loaded on first use only, so the EJML backends never touch native code. */
    private static final class Blas {
        static final BLAS INSTANCE = BLAS.getInstance();
    }

    /** netlib-java's own Java implementation, whether or not a native library is there. */
    private static final class JavaOnly {
        static final BLAS INSTANCE = JavaBLAS.getInstance();
    }
}
