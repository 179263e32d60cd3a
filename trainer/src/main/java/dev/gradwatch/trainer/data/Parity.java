package dev.gradwatch.trainer.data;

import org.ejml.data.DMatrixRMaj;

import java.util.SplittableRandom;

/**
 * The n-bit parity task (Minsky and Papert 1969, "Perceptrons"; a standard hard case for
 * gradient descent, Rumelhart, Hinton and Williams 1986): inputs are n random bits coded as ±1,
 * the class is 1 when an odd number of them are +1. Every input bit matters and no subset of
 * them says anything about the class, so the gradient gives no hint until the net combines all n.
 *
 * <p>With one output the target is the class (for {@code bce} or {@code mse}); with two it is
 * its one-hot row (for {@code softmax-ce}). Seeded: a seed gives the same batches.
 */
public final class Parity implements BatchSource {

    private final int bits;
    private final int outputDim;
    private final SplittableRandom rng;

    public Parity(int bits, int outputDim, long seed) {
        if (bits < 1 || bits > 62) throw new IllegalArgumentException("parity needs 1 to 62 bits, got " + bits);
        if (outputDim != 1 && outputDim != 2) {
            throw new IllegalArgumentException("parity has 1 output (class 0/1) or 2 (one-hot), got " + outputDim);
        }
        this.bits = bits;
        this.outputDim = outputDim;
        this.rng = new SplittableRandom(seed);
    }

    @Override
    public void nextBatch(int batchSize, DMatrixRMaj X, DMatrixRMaj T) {
        X.reshape(batchSize, bits);
        T.reshape(batchSize, outputDim);
        T.zero();
        for (int r = 0; r < batchSize; r++) {
            long word = rng.nextLong();
            int ones = 0;
            for (int j = 0; j < bits; j++) {
                boolean one = ((word >>> j) & 1) != 0;
                if (one) ones++;
                X.unsafe_set(r, j, one ? 1 : -1);
            }
            int c = ones & 1;
            if (outputDim == 1) T.unsafe_set(r, 0, c);
            else T.unsafe_set(r, c, 1);
        }
    }

    @Override
    public int inputDim() {
        return bits;
    }

    @Override
    public int outputDim() {
        return outputDim;
    }
}
