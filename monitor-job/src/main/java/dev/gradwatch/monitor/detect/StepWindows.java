package dev.gradwatch.monitor.detect;

/**
 * Sliding windows counted in training steps: the window ending at step {@code e} covers steps
 * {@code e - size + 1 … e}, and windows end at the steps {@code slide - 1, 2·slide - 1, …}.
 *
 * <p>Because boundaries are fixed by step numbers, not by when records arrive, a replay cuts the
 * same windows and derives the same alert ids.
 */
public record StepWindows(int size, int slide) {

    private static final long[] NONE = new long[0];

    public StepWindows {
        if (size < 1 || slide < 1 || slide > size) {
            throw new IllegalArgumentException("need 1 <= slide <= size, got size " + size + ", slide " + slide);
        }
    }

    /** True when a window ends at this step. */
    public boolean endsAt(long step) {
        return (step + 1) % slide == 0;
    }

    /** First step covered by the window that ends at {@code end}. */
    public long startOf(long end) {
        return end - size + 1;
    }

    /**
     * Window ends strictly between two consecutive samples {@code previous < next} that still
     * cover {@code previous}: the windows a gap in the steps skipped over, oldest first. Windows
     * further on would hold no sample at all.
     */
    public long[] endsSkipped(long previous, long next) {
        if (previous < 0 || next <= previous + 1) return NONE;
        long first = ((previous + 1) / slide + 1) * slide - 1;
        long limit = Math.min(next - 1, previous + size - 1);
        if (first > limit) return NONE;
        int n = (int) ((limit - first) / slide + 1);
        long[] ends = new long[n];
        for (int i = 0; i < n; i++) ends[i] = first + (long) i * slide;
        return ends;
    }

    /** Fewest samples a window needs to be judged; fewer (a long gap) and it is skipped. */
    public int minSamples() {
        return (size + 1) / 2;
    }
}
