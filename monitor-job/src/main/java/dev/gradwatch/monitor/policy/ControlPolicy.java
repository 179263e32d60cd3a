package dev.gradwatch.monitor.policy;

import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The whole control policy for one (run, worker), escalating in three stages: {@link ClipPolicy} sets
 * and tightens the clip norm; when clipping is not holding (the clip norm was set {@code lrAfterClips}
 * times within {@code lrWithinSteps} steps, or non-finite steps keep arriving while a clip is in
 * force) it sends {@code SCALE_LR}; after {@code stopAfterNonFiniteSteps} consecutive non-finite steps
 * it sends {@code STOP}, and nothing more. Every command of the worker shares one sequence number
 * that only increases, whatever its type, because the trainer refuses a sequence at or below the last
 * it accepted. Ids are derived from type, run, worker and trigger step, so a replay of the same
 * statistics issues the same commands.
 */
public final class ControlPolicy {

    private final ClipPolicy clip;
    private final EscalationConfig cfg;
    private final long commandTtlMs;

    public ControlPolicy(ClipPolicyConfig clipCfg, EscalationConfig cfg, DetectorConfig detectors) {
        this.clip = new ClipPolicy(clipCfg, detectors);
        this.cfg = cfg;
        this.commandTtlMs = clipCfg.commandTtlMs();
    }

    /** {@code TYPE:run:worker@step}, the same scheme as {@link ClipPolicy#commandId}. */
    public static String commandId(ControlCommand.Type type, String runId, String workerId, long step) {
        return type + ":" + runId + ":" + workerId + "@" + step;
    }

    /** Records the step and returns the commands it calls for, in the order they must be applied. */
    public List<ControlCommand> onStats(ClipState st, StepStats s, long nowMs) {
        // an end-of-run marker is no measurement: the worker trains no more, nothing to command
        if (st.stopped || s.endsRun() || s.step() <= st.norms.lastStep) return List.of();
        List<ControlCommand> out = new ArrayList<>(2);
        boolean nonFinite = !Double.isFinite(s.loss()) || s.layers().stream().anyMatch(LayerStats::hasNonFinite);
        if (nonFinite) {
            if (st.nonFiniteStreak == 0) st.nonFiniteStreakStart = s.step();
            st.nonFiniteStreak++;
        } else {
            st.nonFiniteStreak = 0;
            st.nonFiniteStreakStart = -1;
        }
        if (cfg.stopAfterNonFiniteSteps() > 0 && st.nonFiniteStreak >= cfg.stopAfterNonFiniteSteps()) {
            // clip.onStats still records the step's norm; its own command would be moot after a stop
            clip.onStats(st, s, nowMs);
            st.stopped = true;
            out.add(command(st, s, ControlCommand.Type.STOP, 0, String.format(Locale.ROOT,
                    "persistent non-finite gradients: %d consecutive steps (%d..%d) with a NaN/Inf gradient or loss,"
                            + " at least %d (stop.after-non-finite-steps); the trainer skips those updates, so the run"
                            + " is not learning. Restore the last good checkpoint and lower the learning rate.",
                    st.nonFiniteStreak, st.nonFiniteStreakStart, s.step(), cfg.stopAfterNonFiniteSteps()), nowMs));
            return out;
        }
        boolean clipInForce = Double.isFinite(s.clipNorm());
        clip.onStats(st, s, nowMs).ifPresent(c -> {
            out.add(c);
            st.recentClipSteps = pushBounded(st.recentClipSteps, s.step(), cfg.lrAfterClips());
        });
        if (nonFinite && clipInForce) {
            st.recentClippedNonFinite = pushBounded(st.recentClippedNonFinite, s.step(), cfg.lrAfterClippedNonFinite());
        }
        String why = escalation(st, s.step());
        if (why != null) {
            st.lastScaleLrStep = s.step();
            // a new episode: the evidence that led here must not count towards the next scaling
            st.recentClipSteps = new long[0];
            st.recentClippedNonFinite = new long[0];
            out.add(command(st, s, ControlCommand.Type.SCALE_LR, cfg.lrScaleFactor(), String.format(Locale.ROOT,
                    "%s: scale the learning rate by %s (from %.3g to %.3g).", why, num(cfg.lrScaleFactor()),
                    s.learningRate(), s.learningRate() * cfg.lrScaleFactor()), nowMs));
        }
        return out;
    }

    /** Why the learning rate must come down at {@code step}, or null. */
    private String escalation(ClipState st, long step) {
        if (st.lastScaleLrStep >= 0 && step < st.lastScaleLrStep + cfg.lrCooldownSteps()) return null;
        long since = step - cfg.lrWithinSteps() + 1;
        int clips = countSince(st.recentClipSteps, since);
        if (cfg.lrAfterClips() > 0 && clips >= cfg.lrAfterClips()) {
            return String.format(Locale.ROOT, "repeated explosions: the clip norm was set %d times within %d steps"
                    + " (steps %s), at least %d (lr.after-clips)", clips, cfg.lrWithinSteps(),
                    Arrays.toString(st.recentClipSteps), cfg.lrAfterClips());
        }
        int clipped = countSince(st.recentClippedNonFinite, since);
        if (cfg.lrAfterClippedNonFinite() > 0 && clipped >= cfg.lrAfterClippedNonFinite()) {
            return String.format(Locale.ROOT, "non-finite gradients despite clipping: %d non-finite steps within %d"
                    + " steps while a clip norm was in force (steps %s), at least %d (lr.after-clipped-non-finite)",
                    clipped, cfg.lrWithinSteps(), Arrays.toString(st.recentClippedNonFinite), cfg.lrAfterClippedNonFinite());
        }
        return null;
    }

    private ControlCommand command(ClipState st, StepStats s, ControlCommand.Type type, double value, String reason,
                                   long nowMs) {
        // the same rule as the clip policy's: increasing, and at least the trigger step
        st.seq = Math.max(st.seq + 1, s.step());
        return new ControlCommand(ControlCommand.CURRENT_VERSION, commandId(type, s.runId(), s.workerId(), s.step()),
                s.runId(), s.workerId(), type, value, reason, st.seq, nowMs, nowMs + commandTtlMs, null, null);
    }

    /** The last {@code bound} values of {@code steps} followed by {@code step}. */
    static long[] pushBounded(long[] steps, long step, int bound) {
        if (bound <= 0) return new long[0];
        int keep = Math.min(steps.length, bound - 1);
        long[] next = Arrays.copyOfRange(steps, steps.length - keep, steps.length + 1);
        next[keep] = step;
        return next;
    }

    private static int countSince(long[] steps, long since) {
        int n = 0;
        for (long s : steps) if (s >= since) n++;
        return n;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
