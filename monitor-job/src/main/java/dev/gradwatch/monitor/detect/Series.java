package dev.gradwatch.monitor.detect;

import java.util.Arrays;

/** One measured quantity over consecutive training steps, oldest first: what a detector judges. */
public record Series(long[] steps, double[] values) {

    public Series {
        if (steps.length != values.length) {
            throw new IllegalArgumentException("steps and values differ in length");
        }
    }

    /** A series over consecutive steps starting at {@code firstStep}, for fixtures. */
    public static Series of(long firstStep, double... values) {
        long[] steps = new long[values.length];
        for (int i = 0; i < steps.length; i++) steps[i] = firstStep + i;
        return new Series(steps, values.clone());
    }

    public int size() {
        return values.length;
    }

    public boolean isEmpty() {
        return values.length == 0;
    }

    public long firstStep() {
        return steps[0];
    }

    public long lastStep() {
        return steps[steps.length - 1];
    }

    public double first() {
        return values[0];
    }

    public double last() {
        return values[values.length - 1];
    }

    public boolean allFinite() {
        for (double v : values) if (!Double.isFinite(v)) return false;
        return true;
    }

    /** The finite values with their steps (NaN marks a sample that did not carry the quantity). */
    public Series finiteOnly() {
        if (allFinite()) return this;
        int n = 0;
        for (double v : values) if (Double.isFinite(v)) n++;
        long[] st = new long[n];
        double[] v = new double[n];
        int k = 0;
        for (int i = 0; i < values.length; i++) {
            if (Double.isFinite(values[i])) {
                st[k] = steps[i];
                v[k++] = values[i];
            }
        }
        return new Series(st, v);
    }

    /** Mean of the finite values, or NaN when there is none. */
    public double meanFinite() {
        double sum = 0;
        int n = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Largest finite value, or NaN when there is none. */
    public double maxFinite() {
        double m = Double.NaN;
        for (double v : values) if (Double.isFinite(v) && !(v <= m)) m = v;
        return m;
    }

    /** Smallest finite value, or NaN when there is none. */
    public double minFinite() {
        double m = Double.NaN;
        for (double v : values) if (Double.isFinite(v) && !(v >= m)) m = v;
        return m;
    }

    /** Index of the largest finite value, or -1. */
    public int argMaxFinite() {
        int at = -1;
        for (int i = 0; i < values.length; i++) {
            if (Double.isFinite(values[i]) && (at < 0 || values[i] > values[at])) at = i;
        }
        return at;
    }

    @Override
    public String toString() {
        return "Series" + Arrays.toString(steps) + "=" + Arrays.toString(values);
    }
}
