package dev.gradwatch.monitor.detect;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A worker whose gradient norms diverge from its peers' in the same run: at each step, the modified
 * z-score of each worker's log gradient norm across the workers, 0.6745·(x − median)/MAD (Iglewicz
 * and Hoaglin 1993, who flag |z| > 3.5), with the mean absolute deviation (scaled by 0.7979) when
 * more than half the workers agree exactly and the MAD is 0. The median and MAD are robust: the
 * diverging worker itself barely moves them. Workers of a data-parallel run see different batches
 * of the same distribution, so their norms differ by sampling noise only; the log makes the score
 * scale-free.
 */
public final class WorkerDivergenceDetector {

    /** Scales the MAD of a normal sample to its standard deviation: Φ⁻¹(3/4). */
    static final double MAD_SCALE = 0.6745;
    /** Scales the mean absolute deviation of a normal sample to its standard deviation: √(2/π). */
    static final double MEAN_AD_SCALE = 0.7979;

    private WorkerDivergenceDetector() {
    }

    /**
     * Modified z-scores of the workers' log norms at one step, by worker, or an empty map when fewer
     * than {@code minWorkers} workers have a finite positive norm or the norms do not vary at all.
     */
    public static Map<String, Double> scores(Map<String, Double> normByWorker, int minWorkers) {
        Map<String, Double> logs = new LinkedHashMap<>();
        normByWorker.forEach((w, v) -> {
            if (v != null && v > 0 && Double.isFinite(v)) logs.put(w, Math.log(v));
        });
        if (logs.size() < minWorkers) return Map.of();
        double[] x = logs.values().stream().mapToDouble(Double::doubleValue).toArray();
        double median = median(x);
        double[] dev = Arrays.stream(x).map(v -> Math.abs(v - median)).toArray();
        double mad = median(dev);
        double scale;
        if (mad > 0) {
            scale = mad / MAD_SCALE;
        } else {
            double meanAd = Arrays.stream(dev).average().orElse(0);
            if (!(meanAd > 0)) return Map.of();
            scale = meanAd / MEAN_AD_SCALE;
        }
        Map<String, Double> z = new LinkedHashMap<>();
        logs.forEach((w, v) -> z.put(w, (v - median) / scale));
        return z;
    }

    /**
     * Fires when the worker's score was over {@code threshold} in absolute value, on the same side,
     * at every judged step of the window, and at least {@code minSamples} steps were judged.
     *
     * @param zs             the worker's scores at the judged steps of the window
     * @param lastGradL2     the worker's norm at the last judged step
     * @param lastMedianGradL2 the median norm across workers at that step
     * @param workers        how many workers were compared at that step
     */
    public static Optional<Finding> diverging(Subject workerLayer, Series zs, double threshold, int minSamples,
                                              double lastGradL2, double lastMedianGradL2, int workers) {
        Series judged = zs.finiteOnly();
        if (judged.size() < minSamples) return Optional.empty();
        double min = judged.minFinite();
        double max = judged.maxFinite();
        boolean high = min > threshold;
        boolean low = max < -threshold;
        if (!high && !low) return Optional.empty();
        double ratio = lastGradL2 / lastMedianGradL2;
        Map<String, Double> evidence = Map.of(
                "lastZScore", judged.last(),
                "minAbsZScore", high ? min : -max,
                "zThreshold", threshold,
                "gradL2", lastGradL2,
                "medianGradL2AcrossWorkers", lastMedianGradL2,
                "ratioToMedian", ratio,
                "workers", (double) workers,
                "samples", (double) judged.size(),
                "windowFirstStep", (double) zs.firstStep(),
                "windowLastStep", (double) zs.lastStep());
        String summary = "gradient L2 norm of " + workerLayer.describe() + " is " + Remedies.num(ratio)
                + "x the median of the run's " + workers + " workers (" + Remedies.num(lastGradL2) + " vs "
                + Remedies.num(lastMedianGradL2) + "), modified z-score " + Remedies.num(judged.last())
                + ", beyond " + Remedies.num(threshold) + " at every compared step of " + zs.firstStep() + "-"
                + zs.lastStep();
        return Optional.of(Finding.of(Rules.WORKER_DIVERGENCE, workerLayer, zs.lastStep(), summary, evidence,
                Remedies.workerDivergence(ratio, workerLayer.workerId())));
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
