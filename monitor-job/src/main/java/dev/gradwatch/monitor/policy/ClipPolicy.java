package dev.gradwatch.monitor.policy;

import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.Finding;
import dev.gradwatch.monitor.detect.Rules;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Turns explosion evidence for one (run, worker) into {@code SET_CLIP_NORM} commands, in the spirit
 * of AutoClip (Seetharaman et al. 2020, arXiv:2007.14469): the clip norm is a low percentile of the
 * worker's recent finite global gradient norms, where the global norm of a step is
 * {@code sqrt(Σ_layers gradL2²)}. A repeated explosion after a command halves the last clip norm.
 * The value is kept within [{@code minClipNorm}, {@code ceiling}] and never loosens the clip norm the
 * trainer reports in force.
 *
 * <p>Decisions use only norms up to the evidence's step, and evidence that overtakes the
 * statistics of its own step waits for them, so a replay proposes the same values. Command ids are
 * derived from run, worker and trigger step.
 */
public final class ClipPolicy {

    /** Rules whose findings count as explosion evidence. */
    public static final Set<String> TRIGGERS = Set.of(Rules.EXPLODING_GRADIENT, Rules.EXPLODING_GRADIENT_GROWTH,
            Rules.NON_FINITE_GRADIENT, Rules.NON_FINITE_LOSS);

    private final ClipPolicyConfig cfg;
    private final double ceiling;

    /** @param ceiling the exploding ceiling: the highest clip norm the policy proposes */
    public ClipPolicy(ClipPolicyConfig cfg, double ceiling) {
        this.cfg = cfg;
        this.ceiling = ceiling;
    }

    public static boolean isExplosionEvidence(Finding f) {
        return TRIGGERS.contains(f.rule());
    }

    /** {@code SET_CLIP_NORM:run:worker@step}. */
    public static String commandId(String runId, String workerId, long step) {
        return ControlCommand.Type.SET_CLIP_NORM + ":" + runId + ":" + workerId + "@" + step;
    }

    /** Global gradient norm of a step, sqrt(Σ gradL2²); NaN when any layer is not finite. */
    public static double globalNorm(StepStats s) {
        double sumSq = 0;
        for (LayerStats l : s.layers()) {
            if (l.hasNonFinite()) return Double.NaN;
            sumSq += l.gradL2() * l.gradL2();
        }
        return Math.sqrt(sumSq);
    }

    /** Records a step's global norm; acts on evidence that was waiting for this step. */
    public Optional<ControlCommand> onStats(ClipState st, StepStats s, long nowMs) {
        if (s.step() <= st.lastStatsStep) return Optional.empty();
        st.norms.reshape(2 * cfg.historySteps(), 1);
        double g = globalNorm(s);
        // overflowed squares give +Inf: not a usable history value either
        if (Double.isFinite(g)) st.norms.add(s.step(), g);
        st.lastStatsStep = s.step();
        st.clipInForce = Double.isNaN(s.clipNorm()) ? Double.POSITIVE_INFINITY : s.clipNorm();
        if (st.pendingStep >= 0 && st.pendingStep <= s.step()) {
            long step = st.pendingStep;
            String rule = st.pendingRule;
            String summary = st.pendingSummary;
            st.pendingStep = -1;
            st.pendingRule = "";
            st.pendingSummary = "";
            return decide(st, s.runId(), s.workerId(), step, rule, summary, nowMs);
        }
        return Optional.empty();
    }

    /** Acts on explosion evidence, or keeps it until the statistics of its step have been seen. */
    public Optional<ControlCommand> onEvidence(ClipState st, Finding f, long nowMs) {
        if (!isExplosionEvidence(f)) return Optional.empty();
        if (f.step() > st.lastStatsStep) {
            if (st.pendingStep < 0 || f.step() < st.pendingStep) {
                st.pendingStep = f.step();
                st.pendingRule = f.rule();
                st.pendingSummary = f.summary();
            }
            return Optional.empty();
        }
        return decide(st, f.runId(), f.workerId(), f.step(), f.rule(), f.summary(), nowMs);
    }

    private Optional<ControlCommand> decide(ClipState st, String runId, String workerId, long step, String rule,
                                            String summary, long nowMs) {
        boolean repeated = st.lastCommandStep >= 0;
        if (repeated && step < st.lastCommandStep + cfg.cooldownSteps()) return Optional.empty();

        String basis;
        double value;
        if (repeated) {
            value = st.lastCommandValue / 2;
            basis = "repeated explosion after command seq " + st.seq + " (clip norm " + num(st.lastCommandValue)
                    + " at step " + st.lastCommandStep + "): halved";
        } else {
            double[] history = recentNorms(st, step);
            if (history.length == 0) {
                value = ceiling;
                basis = "no finite global norm yet: the ceiling";
            } else {
                value = percentile(history, cfg.percentile());
                basis = "p" + num(cfg.percentile()) + " of " + history.length + " recent global norms";
            }
        }
        if (Double.isFinite(st.clipInForce) && value >= st.clipInForce) {
            // the clip norm in force did not prevent this explosion: tighten it, never loosen
            value = st.clipInForce / 2;
            basis += "; in-force clip norm " + num(st.clipInForce) + " halved";
        }
        value = Math.max(cfg.minClipNorm(), Math.min(ceiling, value));
        if (Double.isFinite(st.clipInForce) && value >= st.clipInForce) {
            return Optional.empty(); // already at the lowest clip norm the policy allows
        }
        // at least the trigger step, so that the sequence keeps increasing even after idle clean-up
        // forgot the last one
        st.seq = Math.max(st.seq + 1, step);
        st.lastCommandStep = step;
        st.lastCommandValue = value;
        String reason = rule + " at step " + step + ": clip norm " + num(value) + " (" + basis + "). " + summary;
        return Optional.of(new ControlCommand(ControlCommand.CURRENT_VERSION, commandId(runId, workerId, step),
                runId, workerId, ControlCommand.Type.SET_CLIP_NORM, value, reason, st.seq, nowMs,
                nowMs + cfg.commandTtlMs(), null, null));
    }

    /** The last {@code historySteps} finite global norms at or before {@code step}. */
    private double[] recentNorms(ClipState st, long step) {
        var all = st.norms.series(0, Long.MIN_VALUE, step);
        int n = Math.min(all.size(), cfg.historySteps());
        return Arrays.copyOfRange(all.values(), all.size() - n, all.size());
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

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
