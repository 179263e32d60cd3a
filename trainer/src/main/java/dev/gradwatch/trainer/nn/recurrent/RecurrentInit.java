package dev.gradwatch.trainer.nn.recurrent;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

import java.util.random.RandomGenerator;

/**
 * The usual starting weights of a recurrent layer, one gate block at a time: Xavier/Glorot uniform
 * for the input weights and orthogonal for the recurrent weights.
 *
 * <p>Written here rather than in {@code nn.Init} because {@code Init} describes one dense W and b
 * by fan-in and fan-out, while a recurrent layer needs a separate draw per gate block.
 */
public final class RecurrentInit {

    private RecurrentInit() {
    }

    /**
     * Each rows × {@code blockCols} column block of W ~ U(−a, a) with a = √(6/(rows + blockCols)):
     * Glorot and Bengio 2010, "Understanding the difficulty of training deep feedforward neural
     * networks", AISTATS, applied per gate as Keras does for each gate's kernel.
     */
    public static void xavierUniformBlocks(DMatrixRMaj W, int blockCols, RandomGenerator rng) {
        checkBlocks(W, blockCols);
        double a = Math.sqrt(6.0 / (W.numRows + blockCols));
        for (int block = 0; block < W.numCols / blockCols; block++) {
            for (int r = 0; r < W.numRows; r++) {
                for (int c = 0; c < blockCols; c++) W.set(r, block * blockCols + c, a * (2 * rng.nextDouble() - 1));
            }
        }
    }

    /**
     * Each rows × {@code blockCols} column block of W set to a random (semi-)orthogonal matrix times
     * {@code gain}: Saxe, McClelland and Ganguli 2014, "Exact solutions to the nonlinear dynamics of
     * learning in deep linear neural networks", ICLR. Orthogonal recurrent weights keep every
     * singular value at 1, so a linearised RNN neither shrinks nor grows gradients through time.
     * Drawn as Q of the QR decomposition of a Gaussian matrix, with the signs of R's diagonal
     * moved into Q so the distribution is uniform (Haar) over orthogonal matrices (Mezzadri 2007,
     * "How to generate random matrices from the classical compact groups", Notices of the AMS).
     */
    public static void orthogonalBlocks(DMatrixRMaj W, int blockCols, double gain, RandomGenerator rng) {
        checkBlocks(W, blockCols);
        for (int block = 0; block < W.numCols / blockCols; block++) {
            DMatrixRMaj Q = orthogonal(W.numRows, blockCols, rng);
            for (int r = 0; r < W.numRows; r++) {
                for (int c = 0; c < blockCols; c++) W.set(r, block * blockCols + c, gain * Q.get(r, c));
            }
        }
    }

    /** A rows × cols matrix with orthonormal columns (rows ≥ cols) or orthonormal rows (rows &lt; cols). */
    public static DMatrixRMaj orthogonal(int rows, int cols, RandomGenerator rng) {
        boolean tall = rows >= cols;
        int m = tall ? rows : cols, n = tall ? cols : rows;
        DMatrixRMaj A = new DMatrixRMaj(m, n);
        for (int i = 0; i < A.data.length; i++) A.data[i] = rng.nextGaussian();
        // A = Q · R, Q m × n with orthonormal columns
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(m, n);
        if (!qr.decompose(A)) throw new IllegalStateException("QR decomposition failed");
        DMatrixRMaj Q = qr.getQ(null, true);
        DMatrixRMaj R = qr.getR(null, true);
        // Q = Q · diag(sign(diag(R)))
        for (int c = 0; c < n; c++) {
            if (R.get(c, c) < 0) {
                for (int r = 0; r < m; r++) Q.set(r, c, -Q.get(r, c));
            }
        }
        if (tall) return Q;
        DMatrixRMaj Qt = new DMatrixRMaj(n, m);
        org.ejml.dense.row.CommonOps_DDRM.transpose(Q, Qt);
        return Qt;
    }

    private static void checkBlocks(DMatrixRMaj W, int blockCols) {
        if (blockCols < 1 || W.numCols % blockCols != 0) {
            throw new IllegalArgumentException("a " + W.numRows + "x" + W.numCols + " matrix has no column blocks of width " + blockCols);
        }
    }
}
