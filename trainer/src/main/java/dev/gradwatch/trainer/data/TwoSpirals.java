package dev.gradwatch.trainer.data;

import org.ejml.data.DMatrixRMaj;

import java.util.SplittableRandom;

/**
 * The two-spirals task (Lang and Witbrock 1988, "Learning to Tell Two Spirals Apart",
 * Connectionist Models Summer School): points in the plane on two interleaved spirals, one per
 * class, which no linear model and no shallow net with few units separates.
 *
 * <p>A sample draws its class c ∈ {0, 1} and u ~ U(0, 1), then θ = √u·turns·2π (√ spreads the
 * points evenly along the arc), r = θ / (turns·2π) ∈ [0, 1], and x = r·(cos(θ + cπ), sin(θ + cπ))
 * + noise·N(0, I). With one output the target is c (for {@code bce} or {@code mse}); with two it
 * is the one-hot row of c (for {@code softmax-ce}). Seeded: a seed gives the same batches.
 */
public final class TwoSpirals implements BatchSource {

    private final int outputDim;
    private final double turns;
    private final double noise;
    private final SplittableRandom rng;

    public TwoSpirals(int outputDim, double turns, double noise, long seed) {
        if (outputDim != 1 && outputDim != 2) {
            throw new IllegalArgumentException("two spirals has 1 output (class 0/1) or 2 (one-hot), got " + outputDim);
        }
        if (!(turns > 0 && Double.isFinite(turns))) throw new IllegalArgumentException("turns must be finite and > 0, got " + turns);
        if (!(noise >= 0 && Double.isFinite(noise))) throw new IllegalArgumentException("noise must be finite and >= 0, got " + noise);
        this.outputDim = outputDim;
        this.turns = turns;
        this.noise = noise;
        this.rng = new SplittableRandom(seed);
    }

    @Override
    public void nextBatch(int batchSize, DMatrixRMaj X, DMatrixRMaj T) {
        X.reshape(batchSize, 2);
        T.reshape(batchSize, outputDim);
        T.zero();
        double span = turns * 2 * Math.PI;
        for (int r = 0; r < batchSize; r++) {
            int c = rng.nextInt(2);
            // θ = √u·turns·2π,  r = θ/(turns·2π),  x = r·(cos(θ + cπ), sin(θ + cπ)) + noise·ε
            double theta = Math.sqrt(rng.nextDouble()) * span;
            double radius = theta / span;
            double phase = theta + c * Math.PI;
            X.unsafe_set(r, 0, radius * Math.cos(phase) + noise * rng.nextGaussian());
            X.unsafe_set(r, 1, radius * Math.sin(phase) + noise * rng.nextGaussian());
            if (outputDim == 1) T.unsafe_set(r, 0, c);
            else T.unsafe_set(r, c, 1);
        }
    }

    @Override
    public int inputDim() {
        return 2;
    }

    @Override
    public int outputDim() {
        return outputDim;
    }
}
