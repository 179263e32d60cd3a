package dev.gradwatch.trainer.data;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

import java.util.SplittableRandom;

/**
 * A seeded synthetic task: inputs x ~ N(0, I) and targets from a fixed random one-hidden-layer
 * tanh "teacher" network, y = tanh(x·U)·V (U ~ N(0, 1/d), V ~ N(0, 1/h)), which a student
 * network can learn but not trivially (it is not linear).
 *
 * <ul>
 *   <li>{@link #regression}: T = 1.6·y + 0.05·ε, about unit variance (tanh of a unit Gaussian
 *       has variance 0.39);</li>
 *   <li>{@link #classification}: T = 1 if y + 0.05·ε &gt; 0 else 0, about balanced.</li>
 * </ul>
 * The teacher and the sample stream both come from the seed, so a seed gives the same batches.
 */
public final class TeacherTask implements BatchSource {

    /** Width of the teacher's hidden layer. */
    public static final int TEACHER_HIDDEN = 16;
    static final double REGRESSION_GAIN = 1.6;
    static final double NOISE = 0.05;

    private final boolean classification;
    private final int inputDim;
    private final int outputDim;
    private final DMatrixRMaj U;
    private final DMatrixRMaj V;
    private final DMatrixRMaj H = new DMatrixRMaj(1, 1);
    private final SplittableRandom samples;

    private TeacherTask(boolean classification, int inputDim, int outputDim, long seed) {
        if (inputDim < 1 || outputDim < 1) {
            throw new IllegalArgumentException("inputDim and outputDim must be >= 1, got " + inputDim + ", " + outputDim);
        }
        this.classification = classification;
        this.inputDim = inputDim;
        this.outputDim = outputDim;
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom teacher = root.split();
        this.samples = root.split();
        this.U = gaussian(inputDim, TEACHER_HIDDEN, 1 / Math.sqrt(inputDim), teacher);
        this.V = gaussian(TEACHER_HIDDEN, outputDim, 1 / Math.sqrt(TEACHER_HIDDEN), teacher);
    }

    public static TeacherTask regression(int inputDim, int outputDim, long seed) {
        return new TeacherTask(false, inputDim, outputDim, seed);
    }

    public static TeacherTask classification(int inputDim, int outputDim, long seed) {
        return new TeacherTask(true, inputDim, outputDim, seed);
    }

    @Override
    public void nextBatch(int batchSize, DMatrixRMaj X, DMatrixRMaj T) {
        X.reshape(batchSize, inputDim);
        T.reshape(batchSize, outputDim);
        H.reshape(batchSize, TEACHER_HIDDEN);
        double[] x = X.data;
        for (int i = 0, n = X.getNumElements(); i < n; i++) x[i] = samples.nextGaussian();
        // H = tanh(X · U)
        CommonOps_DDRM.mult(X, U, H);
        double[] h = H.data;
        for (int i = 0, n = H.getNumElements(); i < n; i++) h[i] = Math.tanh(h[i]);
        // T = H · V, then scaled and noised, or thresholded
        CommonOps_DDRM.mult(H, V, T);
        double[] t = T.data;
        for (int i = 0, n = T.getNumElements(); i < n; i++) {
            double y = t[i];
            double noise = NOISE * samples.nextGaussian();
            t[i] = classification ? (y + noise > 0 ? 1 : 0) : REGRESSION_GAIN * y + noise;
        }
    }

    @Override
    public int inputDim() {
        return inputDim;
    }

    @Override
    public int outputDim() {
        return outputDim;
    }

    public boolean isClassification() {
        return classification;
    }

    private static DMatrixRMaj gaussian(int rows, int cols, double sigma, SplittableRandom rng) {
        DMatrixRMaj M = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < M.data.length; i++) M.data[i] = sigma * rng.nextGaussian();
        return M;
    }
}
