package dev.gradwatch.monitor.policy;

import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.ExplodingGradientDetector;
import dev.gradwatch.monitor.detect.Finding;
import dev.gradwatch.monitor.detect.NonFiniteDetector;
import dev.gradwatch.monitor.detect.Rules;
import dev.gradwatch.monitor.detect.Series;
import dev.gradwatch.monitor.detect.StepWindows;
import dev.gradwatch.monitor.detect.Subject;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns explosion evidence for one (run, worker) into {@code SET_CLIP_NORM} commands, in the spirit
 * of AutoClip (Seetharaman et al. 2020, arXiv:2007.14469): the clip norm is a low percentile of the
 * worker's recent finite global gradient norms, where the global norm of a step is
 * {@code sqrt(Σ_layers gradL2²)}. A repeated explosion after a command halves the last clip norm.
 * Only norms under the ceiling count as history; with none, the clip norm is {@code fallbackNorm}.
 * Once the trainer reports a clip norm in force, only non-finite evidence tightens it: the raw
 * (pre-clip) norm staying over the ceiling is what the clip is there to absorb.
 * The value is kept within [{@code minClipNorm}, ceiling] and never loosens the clip norm the trainer
 * reports in force.
 *
 * <p>Evidence is judged here, on the worker's own ordered statistics, with the same detectors that
 * raise the alerts: a non-finite gradient or loss, a layer over the ceiling, or the global norm
 * growing by more than the growth factor within a window. Judging findings sent by the other
 * operators instead would make the commands depend on which operator's output arrives first; this
 * way a replay of the same statistics issues the same commands with the same ids (derived from
 * run, worker and trigger step).
 */
public final class ClipPolicy {

    private final ClipPolicyConfig cfg;
    private final DetectorConfig detectors;
    private final StepWindows windows;

    public ClipPolicy(ClipPolicyConfig cfg, DetectorConfig detectors) {
        this.cfg = cfg;
        this.detectors = detectors;
        this.windows = detectors.windows();
    }

    /** {@code SET_CLIP_NORM:run:worker@step}. */
    public static String commandId(String runId, String workerId, long step) {
        return ControlCommand.Type.SET_CLIP_NORM + ":" + runId + ":" + workerId + "@" + step;
    }

    /** Records the step's global norm and, on explosion evidence, decides on a command. */
    public Optional<ControlCommand> onStats(ClipState st, StepStats s, long nowMs) {
        if (s.step() <= st.norms.lastStep) return Optional.empty();
        st.norms.reshape(Math.max(cfg.historySteps(), detectors.windowSize()), 1);
        st.norms.add(s.step(), s.globalGradL2());
        return evidence(st, s).flatMap(f -> decide(st, s, f, nowMs));
    }

    /** The first explosion evidence at this step, if any. */
    private Optional<Finding> evidence(ClipState st, StepStats s) {
        Subject worker = Subject.step(s.runId(), s.workerId(), "");
        Optional<Finding> f = NonFiniteDetector.gradient(worker, s).or(() -> NonFiniteDetector.loss(worker, s));
        double ceiling = detectors.explodingCeiling();
        for (LayerStats l : s.layers()) {
            if (f.isPresent()) return f;
            // the detector's test first, so that a layer under the ceiling costs no finding's inputs
            if (!ExplodingGradientDetector.isOverCeiling(l.gradL2(), ceiling)) continue;
            f = ExplodingGradientDetector.overCeiling(worker.layer(l.index(), l.name(), l.kind()),
                    Series.of(s.step(), l.gradL2()), ceiling, s.learningRate());
        }
        if (f.isEmpty() && windows.endsAt(s.step()) && st.norms.firstStep <= windows.startOf(s.step())) {
            Series global = st.norms.series(0, windows.startOf(s.step()), s.step());
            f = ExplodingGradientDetector.growth(worker.layer(-1, "all layers together", ""), global,
                    detectors.growthFactor(), detectors.vanishingFloor(), detectors.growthMinNorm(), s.learningRate());
        }
        return f;
    }

    private Optional<ControlCommand> decide(ClipState st, StepStats s, Finding evidence, long nowMs) {
        long step = s.step();
        double inForce = Double.isNaN(s.clipNorm()) ? Double.POSITIVE_INFINITY : s.clipNorm();
        boolean nonFinite = Rules.NON_FINITE_GRADIENT.equals(evidence.rule()) || Rules.NON_FINITE_LOSS.equals(evidence.rule());
        if (Double.isFinite(inForce) && !nonFinite) {
            // the statistics are measured before clipping: a large raw norm under a clip in force is
            // the clip doing its job; only a non-finite value shows the clip failed
            return Optional.empty();
        }
        boolean repeated = st.lastCommandStep >= 0;
        if (repeated && step < st.lastCommandStep + cfg.cooldownSteps()) return Optional.empty();

        String basis;
        double value;
        if (repeated) {
            value = st.lastCommandValue / 2;
            basis = "repeated explosion after command seq " + st.seq + " (clip norm " + num(st.lastCommandValue)
                    + " at step " + st.lastCommandStep + "): halved";
        } else {
            double[] history = recentHealthyNorms(st);
            if (history.length == 0) {
                value = cfg.fallbackNorm();
                basis = "no global norm under the ceiling yet to take a percentile of: the fallback clip norm";
            } else {
                value = percentile(history, cfg.percentile());
                basis = "p" + percentileLabel() + " of " + history.length + " recent global norms";
            }
        }
        if (Double.isFinite(inForce) && value >= inForce) {
            // the clip norm in force did not prevent this explosion: tighten it, never loosen
            value = inForce / 2;
            basis += "; in-force clip norm " + num(inForce) + " halved";
        }
        value = Math.max(cfg.minClipNorm(), Math.min(detectors.explodingCeiling(), value));
        if (Double.isFinite(inForce) && value >= inForce) {
            return Optional.empty(); // already at the lowest clip norm the policy allows
        }
        // at least the trigger step, so that the sequence keeps increasing even after idle clean-up
        // forgot the last one
        st.seq = Math.max(st.seq + 1, step);
        st.lastCommandStep = step;
        st.lastCommandValue = value;
        String reason = evidence.rule() + " at step " + step + ": clip norm " + num(value) + " (" + basis + "). "
                + evidence.summary();
        return Optional.of(new ControlCommand(ControlCommand.CURRENT_VERSION, commandId(s.runId(), s.workerId(), step),
                s.runId(), s.workerId(), ControlCommand.Type.SET_CLIP_NORM, value, reason, st.seq, nowMs,
                nowMs + cfg.commandTtlMs(), null, null));
    }

    /**
     * The finite global norms held that were under the ceiling, up to {@code historySteps} of them:
     * a percentile of norms that were already exploding would clip at an exploding size.
     */
    private double[] recentHealthyNorms(ClipState st) {
        double[] all = st.norms.series(0, Long.MIN_VALUE, Long.MAX_VALUE).values();
        double ceiling = detectors.explodingCeiling();
        return Arrays.stream(all).filter(v -> Double.isFinite(v) && v <= ceiling).toArray();
    }

    /** Linear-interpolation percentile (the numpy default) of {@code values}, {@code p} in (0, 100). */
    public static double percentile(double[] values, double p) {
        double[] v = values.clone();
        Arrays.sort(v);
        double rank = p / 100 * (v.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, v.length - 1);
        return v[lo] + (rank - lo) * (v[hi] - v[lo]);
    }

    private String percentileLabel() {
        double p = cfg.percentile();
        return p == Math.rint(p) ? Long.toString((long) p) : num(p);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
