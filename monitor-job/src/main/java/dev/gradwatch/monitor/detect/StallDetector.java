package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.Alert;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Notices a (run, worker) that stopped reporting: judged on processing time, because a step-counted
 * or event-time window never closes when the worker's input is silent. Fires {@code stalled_worker}
 * once the worker has been silent for the stall timeout, naming the last step and the seconds since,
 * and resolves on its next report. Plain Java; the operator around it owns the timers.
 *
 * <p>A worker that finishes normally sends an end-of-run marker ({@link #onEnd}): it is forgotten,
 * not reported as stalled. A worker that dies or hangs sends none and is reported.
 */
public final class StallDetector implements java.io.Serializable {

    private final long stallTimeoutMs;

    public StallDetector(long stallTimeoutMs) {
        if (stallTimeoutMs < 1) throw new IllegalArgumentException("stall.timeout.ms must be >= 1, got " + stallTimeoutMs);
        this.stallTimeoutMs = stallTimeoutMs;
    }

    public long stallTimeoutMs() {
        return stallTimeoutMs;
    }

    /** Records a report at processing time {@code nowMs}; a resolved alert if the worker was stalled. */
    public Optional<Alert> onReport(StallState st, String runId, String workerId, long step, long nowMs) {
        Optional<Alert> resolved = Optional.empty();
        if (st.stalled) {
            double silentS = (nowMs - st.lastSeenMs) / 1000.0;
            Map<String, Double> evidence = new LinkedHashMap<>();
            evidence.put("lastStep", (double) st.lastStep);
            evidence.put("resumedAtStep", (double) step);
            evidence.put("silentSeconds", silentS);
            resolved = Optional.of(Alerts.resolved(Rules.STALLED_WORKER, Rules.severityOf(Rules.STALLED_WORKER),
                    Subject.step(runId, workerId, ""), step, nowMs, 1, st.lastStep, evidence));
            st.stalled = false;
        }
        st.lastStep = Math.max(st.lastStep, step);
        st.lastSeenMs = nowMs;
        return resolved;
    }

    /**
     * The worker finished normally (its end-of-run marker arrived): the caller forgets it. A resolved
     * alert if it was announced as stalled.
     */
    public Optional<Alert> onEnd(StallState st, String runId, String workerId, long stepsTaken, long nowMs) {
        if (!st.stalled) return Optional.empty();
        st.stalled = false;
        return Optional.of(Alerts.closed(Rules.STALLED_WORKER, Rules.severityOf(Rules.STALLED_WORKER),
                Subject.step(runId, workerId, ""), Math.max(st.lastStep, stepsTaken), nowMs, st.lastStep,
                StepMonitor.endReason(stepsTaken)));
    }

    /** When the worker will count as stalled if it stays silent. */
    public long dueAt(StallState st) {
        return st.lastSeenMs + stallTimeoutMs;
    }

    /**
     * Judges the worker at processing time {@code nowMs}: a firing alert when it has just become
     * stalled, nothing when it is not silent long enough or is already announced.
     */
    public Optional<Alert> onCheck(StallState st, String runId, String workerId, long nowMs) {
        if (st.stalled || st.lastStep < 0 || nowMs < dueAt(st)) return Optional.empty();
        st.stalled = true;
        double silentS = (nowMs - st.lastSeenMs) / 1000.0;
        Map<String, Double> evidence = new LinkedHashMap<>();
        evidence.put("lastStep", (double) st.lastStep);
        evidence.put("silentSeconds", silentS);
        evidence.put("stallTimeoutSeconds", stallTimeoutMs / 1000.0);
        Subject who = Subject.step(runId, workerId, "");
        String summary = String.format(Locale.ROOT, "%s has sent no statistics for %.0f s (stall timeout %.0f s);"
                + " its last step was %d", who.describe(), silentS, stallTimeoutMs / 1000.0, st.lastStep);
        return Optional.of(Alerts.firing(Finding.of(Rules.STALLED_WORKER, who, st.lastStep, summary, evidence,
                Remedies.stalled()), -1, nowMs));
    }
}
