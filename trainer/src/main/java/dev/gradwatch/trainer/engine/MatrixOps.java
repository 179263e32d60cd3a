package dev.gradwatch.trainer.engine;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_MT_DDRM;

/**
 * The matrix products of the hot path, single-threaded (EJML's {@code CommonOps_DDRM}) or
 * concurrent ({@code CommonOps_MT_DDRM}, EJML's fork-join pool) for the whole process.
 *
 * <p>Single-threaded is the default: a machine that runs several trainers, or a trainer beside
 * the monitor, gains nothing from threads that compete for the same cores, and the concurrent
 * ops allocate a little per call. A worker that has the cores to itself turns concurrency on.
 */
public final class MatrixOps {

    private static volatile boolean concurrent;

    private MatrixOps() {
    }

    public static void setConcurrent(boolean on) {
        concurrent = on;
    }

    public static boolean concurrent() {
        return concurrent;
    }

    /** C = A · B */
    public static void mult(DMatrixRMaj A, DMatrixRMaj B, DMatrixRMaj C) {
        if (concurrent) CommonOps_MT_DDRM.mult(A, B, C);
        else CommonOps_DDRM.mult(A, B, C);
    }

    /** C += Aᵀ · B */
    public static void multAddTransA(DMatrixRMaj A, DMatrixRMaj B, DMatrixRMaj C) {
        if (concurrent) CommonOps_MT_DDRM.multAddTransA(A, B, C);
        else CommonOps_DDRM.multAddTransA(A, B, C);
    }

    /** Aᵀ into At */
    public static void transpose(DMatrixRMaj A, DMatrixRMaj At) {
        if (concurrent) CommonOps_MT_DDRM.transpose(A, At);
        else CommonOps_DDRM.transpose(A, At);
    }
}
