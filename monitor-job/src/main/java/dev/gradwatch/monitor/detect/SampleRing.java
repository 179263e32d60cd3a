package dev.gradwatch.monitor.detect;

/**
 * The last {@code capacity} samples of a few quantities, indexed by training step: the bounded
 * state behind every step-counted window.
 *
 * <p>A Flink POJO (public fields, no-argument constructor) so that it is checkpointed without
 * Kryo. Quantities are columns; a later detector adds a column, and {@link #reshape} keeps the
 * samples of a ring restored from an older checkpoint.
 */
public final class SampleRing {

    /** Steps of the held samples, in slot order. */
    public long[] steps = new long[0];
    /** {@code columns[c][slot]}: value of quantity {@code c} at the sample in {@code slot}. */
    public double[][] columns = new double[0][];
    /** Samples held, at most the capacity. */
    public int count;
    /** Slot of the next write. */
    public int next;
    /** Step of the first sample ever added, -1 before any: where this key's history starts. */
    public long firstStep = -1;
    /** Step of the latest sample, -1 before any. */
    public long lastStep = -1;

    public SampleRing() {
    }

    public static SampleRing create(int capacity, int columnCount) {
        SampleRing r = new SampleRing();
        r.reshape(capacity, columnCount);
        return r;
    }

    public int capacity() {
        return steps.length;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** Appends a sample; the caller guarantees that steps increase. */
    public void add(long step, double... values) {
        if (values.length != columns.length) {
            throw new IllegalArgumentException("expected " + columns.length + " values, got " + values.length);
        }
        steps[next] = step;
        for (int c = 0; c < columns.length; c++) columns[c][next] = values[c];
        next = (next + 1) % steps.length;
        if (count < steps.length) count++;
        if (firstStep < 0) firstStep = step;
        lastStep = step;
    }

    /** Values of one column at the held steps within {@code [from, to]}, oldest first. */
    public Series series(int column, long from, long to) {
        int end = endIndex(to);
        int begin = beginIndex(from, end);
        int n = end - begin;
        long[] st = new long[n];
        double[] v = new double[n];
        double[] col = columns[column];
        int capacity = steps.length;
        int slot = slotOf(begin);
        for (int k = 0; k < n; k++) {
            st[k] = steps[slot];
            v[k] = col[slot];
            if (++slot == capacity) slot = 0;
        }
        return new Series(st, v);
    }

    // Steps increase from the oldest held sample (index 0) to the newest (index count - 1), so the
    // held steps within [from, to] are one run of indexes. Windows and lookbacks reach back from the
    // latest sample, so the run is found from the newest end, in a few comparisons.

    /** One past the index of the newest held sample at or before {@code to}. */
    int endIndex(long to) {
        int end = count;
        while (end > 0 && stepAt(end - 1) > to) end--;
        return end;
    }

    /** Index of the oldest held sample at or after {@code from}, among those before {@code end}. */
    int beginIndex(long from, int end) {
        int begin = end;
        while (begin > 0 && stepAt(begin - 1) >= from) begin--;
        return begin;
    }

    /** Step of the i-th held sample, 0 = oldest. */
    long stepAt(int i) {
        return steps[slotOf(i)];
    }

    /** Value of one column at the i-th held sample, 0 = oldest. */
    double valueAt(int column, int i) {
        return columns[column][slotOf(i)];
    }

    private int slotOf(int i) {
        int slot = next - count + i;
        return slot < 0 ? slot + steps.length : slot;
    }

    /**
     * Gives the ring this capacity and number of columns and returns whether it had to add column
     * {@code derived}, which the caller then fills from the samples held (see {@link #derive}); a
     * fresh ring holds nothing to derive from.
     */
    public boolean reshapeAdding(int capacity, int columnCount, int derived) {
        int before = columns.length;
        reshape(capacity, columnCount);
        return before > 0 && before <= derived;
    }

    /** Sets column {@code target} of every slot to {@code f} of column {@code source} (NaN slots stay NaN where f keeps NaN). */
    public void derive(int target, int source, java.util.function.DoubleUnaryOperator f) {
        for (int slot = 0; slot < steps.length; slot++) columns[target][slot] = f.applyAsDouble(columns[source][slot]);
    }

    /**
     * Gives the ring this capacity and number of columns, keeping the latest samples that fit;
     * new columns read NaN for samples taken before they existed.
     */
    public void reshape(int capacity, int columnCount) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        if (capacity == steps.length && columnCount == columns.length) return;
        int keep = Math.min(count, capacity);
        long[] st = new long[capacity];
        double[][] cols = new double[columnCount][capacity];
        for (double[] col : cols) java.util.Arrays.fill(col, Double.NaN);
        for (int i = 0; i < keep; i++) {
            int from = slotOf(count - keep + i);
            st[i] = steps[from];
            for (int c = 0; c < Math.min(columnCount, columns.length); c++) cols[c][i] = columns[c][from];
        }
        steps = st;
        columns = cols;
        count = keep;
        next = keep % capacity;
    }
}
