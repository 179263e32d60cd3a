package dev.gradwatch.events;

/**
 * Fixed bucket edges for histograms of |g|: powers of two from 2⁻⁴⁰ (about 9.1e-13) to 2²⁸
 * (about 2.7e8). Because the edges never change, histograms from different workers, layers and
 * steps add up exactly (per-tensor min/max bins cannot be merged).
 *
 * <p>Bucket 0 holds |g| &lt; 2⁻⁴⁰ (exact zeros included); bucket {@code i} in 1..68 holds
 * [2^(i−41), 2^(i−40)); bucket 69 holds |g| ≥ 2²⁸. Non-finite entries are not counted here:
 * they have counts of their own. Powers of two let the probe find a bucket from the exponent
 * bits without a logarithm.
 */
public final class GradHistogram {

    public static final int MIN_EXPONENT = -40;
    public static final int MAX_EXPONENT = 27;
    /** Number of buckets: one below, one per binary exponent, one above. */
    public static final int BUCKETS = MAX_EXPONENT - MIN_EXPONENT + 3;

    private GradHistogram() {
    }

    /** The bucket of a finite |g| (the sign is ignored). */
    public static int bucketOf(double g) {
        int e = Math.getExponent(g); // floor(log2|g|) for normal numbers; -1023 for zero and subnormals
        if (e < MIN_EXPONENT) return 0;
        if (e > MAX_EXPONENT) return BUCKETS - 1;
        return e - MIN_EXPONENT + 1;
    }

    /** Lower edge of a bucket (0 for bucket 0). */
    public static double lowerEdge(int bucket) {
        if (bucket <= 0) return 0.0;
        return Math.scalb(1.0, bucket - 1 + MIN_EXPONENT);
    }

    /** Upper edge of a bucket (+Inf for the last one). */
    public static double upperEdge(int bucket) {
        if (bucket >= BUCKETS - 1) return Double.POSITIVE_INFINITY;
        return Math.scalb(1.0, bucket + MIN_EXPONENT);
    }
}
