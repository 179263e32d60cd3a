package dev.gradwatch.monitor.detect;

import java.util.Map;
import java.util.Optional;

/**
 * Sudden jumps of a positive quantity (a layer's gradient norm, the loss) above its recent values.
 *
 * <p>The z-score is taken on the logarithm: gradient norms and losses vary multiplicatively, and on
 * a linear scale their heavy right tail makes a healthy run's z-scores reach 10 and more (the
 * healthy demo: 13 on the norm, 17 on the loss over 3,000 steps) where the log-scale score stays
 * near 6. A spike must also be a large factor over the lookback's geometric mean, so that a very
 * quiet series does not turn a small wobble into a huge z-score.
 */
public final class SpikeDetector {

    /**
     * How far {@code value} sits above the lookback, on the log scale.
     *
     * @param z        (ln value − mean of ln lookback) / sample deviation of ln lookback
     * @param ratio    value / geometric mean of the lookback
     * @param geoMean  geometric mean of the lookback
     * @param samples  lookback values used (finite and positive)
     */
    public record Score(double z, double ratio, double geoMean, int samples) {
    }

    private SpikeDetector() {
    }

    /**
     * The score of {@code value} against the finite positive values of {@code lookback}, empty when
     * {@code value} is not finite and positive or fewer than {@code minSamples} values are usable.
     */
    public static Optional<Score> score(Series lookback, double value, int minSamples) {
        if (!(value > 0) || Double.isInfinite(value)) return Optional.empty();
        // the plain form: the monitors score from rings of stored logarithms (the ring overloads), tested against this
        double[] logs = new double[lookback.size()];
        int n = 0;
        double sum = 0;
        for (double v : lookback.values()) {
            if (v > 0 && Double.isFinite(v)) {
                logs[n] = Math.log(v);
                sum += logs[n];
                n++;
            }
        }
        if (n < Math.max(2, minSamples)) return Optional.empty();
        double mean = sum / n;
        double sq = 0;
        for (int i = 0; i < n; i++) sq += (logs[i] - mean) * (logs[i] - mean);
        return Optional.of(of(Math.log(value), mean, sq, n));
    }

    /** The score of ln(value) {@code x} against n logarithms with this mean and sum of squared deviations. */
    private static Score of(double x, double mean, double squaredDeviations, int n) {
        double sd = Math.sqrt(squaredDeviations / (n - 1));
        double z = sd > 0 ? (x - mean) / sd : (x > mean ? Double.POSITIVE_INFINITY : 0);
        return new Score(z, Math.exp(x - mean), Math.exp(mean), n);
    }

    /** True when the score is a spike by both measures. */
    static boolean isSpike(Score s, double zThreshold, double minRatio) {
        return s.z() > zThreshold && s.ratio() >= minRatio;
    }

    /**
     * Fires when a layer's gradient norm at {@code step} is a spike against the lookback and at least
     * {@code minNorm} (a jump among vanished gradients is not an explosion).
     */
    public static Optional<Finding> gradient(Subject layer, Series lookback, long step, double gradL2,
                                             double zThreshold, double minRatio, double minNorm, double learningRate) {
        if (!(gradL2 >= minNorm) || lookback.isEmpty()) return Optional.empty();
        return score(lookback, gradL2, (lookback.size() + 1) / 2)
                .filter(s -> isSpike(s, zThreshold, minRatio))
                .map(s -> gradientSpike(layer, s, lookback.firstStep(), lookback.lastStep(), step, gradL2,
                        zThreshold, minRatio, learningRate));
    }

    /**
     * {@link #gradient(Subject, Series, long, double, double, double, double, double)} on the held
     * samples of {@code ring} within steps {@code [from, to]}, whose {@code logColumn} holds ln of the
     * norm (NaN where the norm was not finite and positive): the same verdict from the same numbers,
     * without a logarithm per lookback value or a copy of the lookback. This runs for every layer of
     * every step.
     */
    static Optional<Finding> gradient(Subject layer, SampleRing ring, int logColumn, long from, long to, long step,
                                      double gradL2, double zThreshold, double minRatio, double minNorm,
                                      double learningRate) {
        if (!(gradL2 >= minNorm)) return Optional.empty();
        RingScore r = score(ring, logColumn, from, to, gradL2);
        if (r == null || !isSpike(r.score(), zThreshold, minRatio)) return Optional.empty();
        return Optional.of(gradientSpike(layer, r.score(), r.firstStep(), r.lastStep(), step, gradL2,
                zThreshold, minRatio, learningRate));
    }

    /**
     * {@link #loss(Subject, Series, long, double, double, double, double, double, double)} on the held
     * samples of {@code ring} within steps {@code [from, to]}, whose {@code logColumn} holds ln of the
     * loss and {@code logGlobalGradL2Column} ln of the global gradient norm (NaN where not finite and
     * positive): the same verdict from the same numbers.
     */
    static Optional<Finding> loss(Subject worker, SampleRing ring, int logColumn, long from, long to, long step,
                                  double loss, double zThreshold, double minRatio, double learningRate,
                                  double globalGradL2, int logGlobalGradL2Column) {
        RingScore r = score(ring, logColumn, from, to, loss);
        if (r == null || !isSpike(r.score(), zThreshold, minRatio)) return Optional.empty();
        // the lookback's global norm is evidence only: taken for a spike, not at every step
        return Optional.of(lossSpike(worker, r.score(), r.firstStep(), step, loss, zThreshold, minRatio, learningRate,
                globalGradL2, geoMean(ring, logGlobalGradL2Column, from, to)));
    }

    /** A score with the first and last step of the lookback it was taken against. */
    private record RingScore(Score score, long firstStep, long lastStep) {
    }

    /**
     * {@link #score(Series, double, int)} of {@code value} against the held samples within {@code [from, to]}
     * of a column of logarithms, with the lookback's size as the minimum sample count's basis; null
     * where that gives no score.
     */
    private static RingScore score(SampleRing ring, int logColumn, long from, long to, double value) {
        if (!(value > 0) || Double.isInfinite(value)) return null;
        int end = ring.endIndex(to);
        int begin = ring.beginIndex(from, end);
        int held = end - begin;
        if (held == 0) return null;
        int n = 0;
        double sum = 0;
        for (int i = begin; i < end; i++) {
            double v = ring.valueAt(logColumn, i);
            if (v == v) {
                sum += v;
                n++;
            }
        }
        if (n < Math.max(2, (held + 1) / 2)) return null;
        double mean = sum / n;
        double sq = 0;
        for (int i = begin; i < end; i++) {
            double v = ring.valueAt(logColumn, i);
            if (v == v) sq += (v - mean) * (v - mean);
        }
        return new RingScore(of(Math.log(value), mean, sq, n), ring.stepAt(begin), ring.stepAt(end - 1));
    }

    /** exp of the mean of the finite values of a column of logarithms within {@code [from, to]}: a geometric mean; NaN when none. */
    static double geoMean(SampleRing ring, int logColumn, long from, long to) {
        int end = ring.endIndex(to);
        double sum = 0;
        int n = 0;
        for (int i = ring.beginIndex(from, end); i < end; i++) {
            double v = ring.valueAt(logColumn, i);
            if (v == v) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.exp(sum / n);
    }

    /** ln of a norm for the lookback of {@link #gradient(Subject, SampleRing, int, long, long, long, double, double, double, double, double)}: NaN unless finite and positive. */
    static double logOrNaN(double norm) {
        return norm > 0 && !Double.isInfinite(norm) ? Math.log(norm) : Double.NaN;
    }

    private static Finding gradientSpike(Subject layer, Score s, long lookbackFirstStep, long lookbackLastStep,
                                         long step, double gradL2, double zThreshold, double minRatio,
                                         double learningRate) {
        Map<String, Double> evidence = Map.of(
                "gradL2", gradL2,
                "lookbackGeoMeanGradL2", s.geoMean(),
                "ratio", s.ratio(),
                "zScore", s.z(),
                "zThreshold", zThreshold,
                "minRatio", minRatio,
                "lookbackFirstStep", (double) lookbackFirstStep,
                "lookbackLastStep", (double) lookbackLastStep,
                "learningRate", learningRate);
        String summary = "gradient L2 norm of " + layer.describe() + " jumped to " + Remedies.num(gradL2)
                + " at step " + step + ", " + Remedies.num(s.ratio()) + "x its recent geometric mean "
                + Remedies.num(s.geoMean()) + " (z " + Remedies.num(s.z()) + " on the log scale over steps "
                + lookbackFirstStep + "-" + lookbackLastStep + ")";
        return Finding.of(Rules.EXPLODING_GRADIENT_SPIKE, layer, step, summary, evidence,
                Remedies.gradientSpike(s.ratio(), learningRate));
    }

    /**
     * Fires when the loss at {@code step} is a spike against the lookback.
     *
     * @param globalGradL2 the step's global gradient norm, for the evidence (NaN when unknown)
     * @param lookbackGlobalGradL2 the geometric mean of the global norm over the lookback (NaN when unknown)
     */
    public static Optional<Finding> loss(Subject worker, Series lookback, long step, double loss, double zThreshold,
                                         double minRatio, double learningRate, double globalGradL2,
                                         double lookbackGlobalGradL2) {
        if (lookback.isEmpty()) return Optional.empty();
        return score(lookback, loss, (lookback.size() + 1) / 2)
                .filter(s -> isSpike(s, zThreshold, minRatio))
                .map(s -> lossSpike(worker, s, lookback.firstStep(), step, loss, zThreshold, minRatio, learningRate,
                        globalGradL2, lookbackGlobalGradL2));
    }

    private static Finding lossSpike(Subject worker, Score s, long lookbackFirstStep, long step, double loss,
                                     double zThreshold, double minRatio, double learningRate, double globalGradL2,
                                     double lookbackGlobalGradL2) {
        Map<String, Double> evidence = Map.of(
                "loss", loss,
                "lookbackGeoMeanLoss", s.geoMean(),
                "ratio", s.ratio(),
                "zScore", s.z(),
                "zThreshold", zThreshold,
                "minRatio", minRatio,
                "globalGradL2", globalGradL2,
                "lookbackGeoMeanGlobalGradL2", lookbackGlobalGradL2,
                "lookbackFirstStep", (double) lookbackFirstStep,
                "learningRate", learningRate);
        String summary = "loss of " + worker.describe() + " jumped to " + Remedies.num(loss) + " at step "
                + step + ", " + Remedies.num(s.ratio()) + "x its recent geometric mean "
                + Remedies.num(s.geoMean()) + " (z " + Remedies.num(s.z()) + " on the log scale)";
        double gradRatio = globalGradL2 / lookbackGlobalGradL2;
        return Finding.of(Rules.LOSS_SPIKE, worker, step, summary, evidence, Remedies.lossSpike(gradRatio, learningRate));
    }
}
