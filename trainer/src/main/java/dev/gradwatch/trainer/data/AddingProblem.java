package dev.gradwatch.trainer.data;

import org.ejml.data.DMatrixRMaj;

import java.util.SplittableRandom;

/**
 * The adding problem (Hochreiter and Schmidhuber 1997, "Long Short-Term Memory", experiment 4; in
 * the form of Le, Jaitly and Hinton 2015, "A Simple Way to Initialize Recurrent Networks of
 * Rectified Linear Units"): each time step carries two inputs, a value ~ U(0, 1) and a marker that
 * is 1 at exactly two steps, one in the first half [0, ⌊T/2⌋) and one in the second [⌊T/2⌋, T), and
 * 0 elsewhere. The target is the sum of the two marked values, read at the end of the sequence.
 *
 * <p>Predicting the mean sum 1 whatever the input scores an MSE of Var(U₁ + U₂) = 2/12 ≈ 0.167,
 * {@link #BASELINE_MSE}; a net beats it only by carrying the marked values across time.
 * Inputs are (T·B) × 2 time-major (value in column 0, marker in column 1), targets B × 1.
 */
public final class AddingProblem implements SequenceTask {

    /** MSE of always predicting 1, the expected sum. */
    public static final double BASELINE_MSE = 2.0 / 12;

    private final int timeSteps;
    private final SplittableRandom samples;

    public AddingProblem(int timeSteps, long seed) {
        if (timeSteps < 2) throw new IllegalArgumentException("adding problem: timeSteps must be >= 2, got " + timeSteps);
        this.timeSteps = timeSteps;
        this.samples = new SplittableRandom(seed);
    }

    @Override
    public void nextBatch(int batchSize, DMatrixRMaj X, DMatrixRMaj T) {
        X.reshape(timeSteps * batchSize, 2);
        T.reshape(batchSize, 1);
        double[] x = X.data;
        int half = timeSteps / 2;
        for (int n = 0; n < batchSize; n++) {
            int first = samples.nextInt(half);
            int second = half + samples.nextInt(timeSteps - half);
            double sum = 0;
            for (int t = 0; t < timeSteps; t++) {
                int row = (t * batchSize + n) * 2;
                double value = samples.nextDouble();
                boolean marked = t == first || t == second;
                x[row] = value;
                x[row + 1] = marked ? 1 : 0;
                if (marked) sum += value;
            }
            T.data[n] = sum;
        }
    }

    @Override
    public int inputDim() {
        return 2;
    }

    @Override
    public int outputDim() {
        return 1;
    }

    @Override
    public int timeSteps() {
        return timeSteps;
    }

    @Override
    public boolean targetsEveryTimeStep() {
        return false;
    }
}
