package dev.gradwatch.monitor.testing;

import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/** Crafted training series: the statistics a trainer would publish for healthy and sick networks. */
public final class StatsFixtures {

    public static final double LR = 0.05;

    private StatsFixtures() {
    }

    /** A step with one layer per norm, layer i named {@code dense<i>} of the given kind. */
    public static StepStats step(String run, String worker, long step, double loss, String kind, double... norms) {
        List<LayerStats> layers = new ArrayList<>();
        for (int i = 0; i < norms.length; i++) layers.add(layer(i, kind, norms[i]));
        return new StepStats(run, worker, step, 1_700_000_000_000L + step * 100, loss, LR,
                Double.POSITIVE_INFINITY, layers);
    }

    public static LayerStats layer(int index, String kind, double gradL2) {
        long nonFinite = Double.isFinite(gradL2) ? 0 : 3;
        double finite = Double.isFinite(gradL2) ? gradL2 : 0;
        return new LayerStats(index, "dense" + index, kind, 1000, gradL2, finite / 30, finite / 3, nonFinite,
                0.01, 5.0, 1e-3);
    }

    /**
     * A sigmoid stack whose gradient shrinks 10x per layer from the output: layer 0 at 1e-9 while
     * the last layer has 1e-1, at every step.
     */
    public static List<StepStats> vanishing(String run, String worker, int steps) {
        return series(steps, s -> step(run, worker, s, 2.3, "dense/sigmoid",
                norms(9, i -> Math.pow(10, i - 9) * (1 + 0.01 * (s % 3)))));
    }

    /** Norms that double each step from about 1, overflowing to NaN at {@code nanAt} (never if negative). */
    public static List<StepStats> exploding(String run, String worker, int steps, int nanAt) {
        return series(steps, s -> {
            double scale = Math.pow(2, s);
            if (s == nanAt) {
                return step(run, worker, s, Double.NaN, "dense/relu", 1.0 * scale, Double.NaN, Double.NaN);
            }
            return step(run, worker, s, 1.0 + 0.1 * s, "dense/relu", 0.5 * scale, 0.8 * scale, 1.0 * scale);
        });
    }

    /** Norms around 0.5-1 with a little noise, nothing wrong. */
    public static List<StepStats> healthy(String run, String worker, int steps) {
        return series(steps, s -> step(run, worker, s, 1.0 / (1 + s), "dense/relu",
                0.5 + 0.05 * (s % 4), 0.7 + 0.05 * (s % 3), 0.9 + 0.05 * (s % 5)));
    }

    /**
     * Workers of one data-parallel run: healthy norms that differ a few percent from worker to worker
     * (each sees other batches), with worker {@code diverging} (none if negative) at {@code factor}
     * times the others' norms. One list per worker.
     */
    public static List<List<StepStats>> fleet(String run, int workers, int steps, int diverging, double factor) {
        List<List<StepStats>> out = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            double scale = (1 + 0.04 * w) * (w == diverging ? factor : 1);
            String worker = "w" + w;
            out.add(series(steps, s -> step(run, worker, s, 1.0 / (1 + s), "dense/relu",
                    scale * (0.5 + 0.05 * (s % 4)), scale * (0.7 + 0.05 * (s % 3)), scale * (0.9 + 0.05 * (s % 5)))));
        }
        return out;
    }

    /** A layer with the optional schema-2 activation fractions (null when not measured). */
    public static LayerStats layer(int index, String kind, double gradL2, double updateRatio, Double deadFraction,
                                   Double saturatedFraction) {
        return new LayerStats(index, "dense" + index, kind, 1000, gradL2, gradL2 / 30, gradL2 / 3, 0, 0.01, 5.0,
                updateRatio, 0L, 0L, 0L, gradL2 / 40, null, null, null, saturatedFraction, deadFraction, null);
    }

    public static double[] norms(int n, IntToDoubleFunction f) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = f.applyAsDouble(i);
        return v;
    }

    private interface StepMaker {
        StepStats make(int step);
    }

    private static List<StepStats> series(int steps, StepMaker maker) {
        List<StepStats> out = new ArrayList<>();
        for (int s = 0; s < steps; s++) out.add(maker.make(s));
        return out;
    }
}
