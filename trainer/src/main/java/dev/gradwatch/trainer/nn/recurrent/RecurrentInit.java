package dev.gradwatch.trainer.nn.recurrent;

import dev.gradwatch.trainer.nn.Init;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

import java.util.random.RandomGenerator;

/**
 * The usual starting weights of a recurrent layer, drawn one gate block at a time with the
 * initializers of {@link Init}: each gate is its own linear map from the input or from h_{t−1},
 * so fan-in and fan-out are those of one block, not of all gates side by side.
 */
public final class RecurrentInit {

    private RecurrentInit() {
    }

    /**
     * Each rows × {@code blockCols} column block of W drawn by {@link Init.XavierUniform} (Glorot
     * and Bengio 2010), as Keras does per gate kernel.
     */
    public static void xavierUniformBlocks(DMatrixRMaj W, int blockCols, RandomGenerator rng) {
        perBlock(W, blockCols, new Init.XavierUniform(), rng);
    }

    /**
     * Each rows × {@code blockCols} column block of W drawn by {@link Init.Orthogonal} with the
     * given gain (Saxe, McClelland and Ganguli 2014): with gain 1 every singular value of a block is
     * 1, so a linearised RNN neither shrinks nor grows gradients through time.
     */
    public static void orthogonalBlocks(DMatrixRMaj W, int blockCols, double gain, RandomGenerator rng) {
        perBlock(W, blockCols, new Init.Orthogonal(gain), rng);
    }

    /** Blocks in column order; allocates a scratch block, so use it at construction only. */
    private static void perBlock(DMatrixRMaj W, int blockCols, Init init, RandomGenerator rng) {
        if (blockCols < 1 || W.numCols % blockCols != 0) {
            throw new IllegalArgumentException("a " + W.numRows + "x" + W.numCols + " matrix has no column blocks of width " + blockCols);
        }
        DMatrixRMaj block = new DMatrixRMaj(W.numRows, blockCols);
        DMatrixRMaj unusedBias = new DMatrixRMaj(1, blockCols);
        for (int c0 = 0; c0 < W.numCols; c0 += blockCols) {
            init.initialize(block, unusedBias, W.numRows, blockCols, rng);
            CommonOps_DDRM.insert(block, W, 0, c0);
        }
    }
}
