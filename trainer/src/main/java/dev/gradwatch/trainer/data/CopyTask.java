package dev.gradwatch.trainer.data;

import org.ejml.data.DMatrixRMaj;

import java.util.SplittableRandom;

/**
 * The copy (memory) task (Hochreiter and Schmidhuber 1997, "Long Short-Term Memory"; in the form
 * of Arjovsky, Shah and Bengio 2016, "Unitary Evolution Recurrent Neural Networks", ICML): a
 * sequence of {@code length} symbols drawn uniformly from 1 … {@code symbols}, then
 * {@code delay} − 1 blanks, a delimiter, and {@code length} more blanks; the net must output blank
 * until the delimiter has passed and then repeat the symbols in order, over T = 2·length + delay
 * steps.
 *
 * <p>Inputs are one-hot over symbols + 2 classes (0 blank, 1 … symbols, symbols + 1 delimiter),
 * (T·B) × (symbols + 2) time-major. Targets are one-hot over symbols + 1 classes (0 blank,
 * 1 … symbols) at every step, (T·B) × (symbols + 1) in the same layout, for a dense head on every
 * hidden state. Always predicting blank for the first length + delay steps and a uniform guess
 * for the last length gives the usual baseline cross-entropy length·ln(symbols) / T per step.
 */
public final class CopyTask implements SequenceTask {

    private final int symbols;
    private final int length;
    private final int delay;
    private final int timeSteps;
    private final SplittableRandom samples;

    public CopyTask(int symbols, int length, int delay, long seed) {
        if (symbols < 1 || length < 1 || delay < 1) {
            throw new IllegalArgumentException("copy task: symbols, length and delay must be >= 1, got "
                    + symbols + ", " + length + ", " + delay);
        }
        this.symbols = symbols;
        this.length = length;
        this.delay = delay;
        this.timeSteps = 2 * length + delay;
        this.samples = new SplittableRandom(seed);
    }

    @Override
    public void nextBatch(int batchSize, DMatrixRMaj X, DMatrixRMaj T) {
        int in = inputDim(), out = outputDim();
        X.reshape(timeSteps * batchSize, in);
        T.reshape(timeSteps * batchSize, out);
        X.zero();
        T.zero();
        double[] x = X.data, y = T.data;
        int delimiterStep = length + delay - 1;
        for (int n = 0; n < batchSize; n++) {
            for (int t = 0; t < timeSteps; t++) {
                int row = t * batchSize + n;
                // input: the symbols, blanks, the delimiter, blanks
                int inputClass = t == delimiterStep ? symbols + 1 : 0;
                if (t < length) inputClass = 1 + samples.nextInt(symbols);
                x[row * in + inputClass] = 1;
                // target: blank, then the symbols of steps 0 … length−1 again
                int targetClass = 0;
                if (t >= length + delay) {
                    int source = (t - length - delay) * batchSize + n;
                    for (int c = 1; c <= symbols; c++) {
                        if (x[source * in + c] == 1) targetClass = c;
                    }
                }
                y[row * out + targetClass] = 1;
            }
        }
    }

    @Override
    public int inputDim() {
        return symbols + 2;
    }

    @Override
    public int outputDim() {
        return symbols + 1;
    }

    @Override
    public int timeSteps() {
        return timeSteps;
    }

    @Override
    public boolean targetsEveryTimeStep() {
        return true;
    }

    public int symbols() {
        return symbols;
    }

    /** Number of symbols to remember. */
    public int length() {
        return length;
    }

    /** Steps from the end of the symbols to the first step of the answer; the delimiter comes at the last of them. */
    public int delay() {
        return delay;
    }
}
