package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.Severity;

import java.util.Map;

/**
 * Builds {@link Alert}s from findings, with ids that a replay reproduces: the fingerprint names the
 * condition (rule, run, worker, layer) and the alert id adds the status and the step that
 * triggered it, so consumers can drop duplicates after an at-least-once redelivery.
 */
public final class Alerts {

    private Alerts() {
    }

    /** {@code rule:run:worker:layer}, with {@code *} as the layer of whole-step rules. */
    public static String fingerprint(String rule, String runId, String workerId, int scopeLayer) {
        return rule + ":" + runId + ":" + workerId + ":" + (scopeLayer < 0 ? "*" : Integer.toString(scopeLayer));
    }

    /** {@code fingerprint:status@step}. */
    public static String alertId(String fingerprint, String status, long step) {
        return fingerprint + ":" + status + "@" + step;
    }

    public static Alert firing(Finding f, int scopeLayer, long timestampMs) {
        String fp = fingerprint(f.rule(), f.runId(), f.workerId(), scopeLayer);
        return new Alert(Alert.CURRENT_VERSION, alertId(fp, Alert.FIRING, f.step()), fp, f.rule(), f.severity(),
                Alert.FIRING, f.runId(), f.workerId(), f.layerIndex(), f.layerName(), f.step(), timestampMs,
                f.summary(), f.evidence(), f.remedy());
    }

    /**
     * A firing alert closed because its state was dropped (no more data, or the run ended) rather
     * than because its condition cleared: status resolved, the reason in the summary and
     * {@code stateCleared = 1} in the evidence.
     *
     * @param step the last step seen for the subject
     */
    public static Alert closed(String rule, Severity severity, Subject who, long step, long timestampMs,
                               long firedAtStep, String reason) {
        return closed(rule, severity, who, step, timestampMs, firedAtStep, 0, reason);
    }

    /** As {@link #closed(String, Severity, Subject, long, long, long, String)}; a flapping latch adds {@code flapCount}. */
    static Alert closed(String rule, Severity severity, Subject who, long step, long timestampMs, long firedAtStep,
                        int flaps, String reason) {
        String fp = fingerprint(rule, who.runId(), who.workerId(), who.layerIndex());
        String summary = rule + " resolved for " + who.describe() + ": " + reason
                + (firedAtStep >= 0 ? " (fired at step " + firedAtStep + ")" : "");
        Map<String, Double> evidence = flaps > 0
                ? Map.of("stateCleared", 1.0, "lastStep", (double) step, "flapCount", (double) flaps)
                : Map.of("stateCleared", 1.0, "lastStep", (double) step);
        return new Alert(Alert.CURRENT_VERSION, alertId(fp, Alert.RESOLVED, step), fp, rule, severity,
                Alert.RESOLVED, who.runId(), who.workerId(), who.layerIndex(), who.layerName(), step, timestampMs,
                summary, evidence, "");
    }

    /** Closes every firing latch of {@code latches} for {@code who}, see {@link #closed}. */
    static java.util.List<Alert> closeAll(Map<String, AlertLatch> latches, Subject who, long step, long timestampMs,
                                          String reason) {
        java.util.List<Alert> out = new java.util.ArrayList<>();
        for (Map.Entry<String, AlertLatch> e : new java.util.TreeMap<>(latches).entrySet()) {
            if (!e.getValue().firing) continue;
            out.add(closed(e.getKey(), Rules.severityOf(e.getKey()), who, step, timestampMs, e.getValue().firedAtStep,
                    e.getValue().flaps, reason));
        }
        return out;
    }

    /**
     * The condition has been clear for {@code clearWindows} windows up to {@code step}.
     *
     * @param evidence the numbers of the last clear window
     */
    public static Alert resolved(String rule, Severity severity, Subject who, long step, long timestampMs,
                                 int clearWindows, long firedAtStep, Map<String, Double> evidence) {
        String fp = fingerprint(rule, who.runId(), who.workerId(), who.layerIndex());
        String summary = rule + " resolved for " + who.describe() + ": clear for " + clearWindows
                + " window(s) up to step " + step + (firedAtStep >= 0 ? " (fired at step " + firedAtStep + ")" : "");
        return new Alert(Alert.CURRENT_VERSION, alertId(fp, Alert.RESOLVED, step), fp, rule, severity,
                Alert.RESOLVED, who.runId(), who.workerId(), who.layerIndex(), who.layerName(), step, timestampMs,
                summary, evidence, "");
    }
}
