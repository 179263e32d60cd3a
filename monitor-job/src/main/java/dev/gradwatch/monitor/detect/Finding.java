package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.Severity;

import java.util.Map;

/**
 * A detector's verdict that its condition holds, with the numbers behind it. Whether it becomes
 * an alert is the {@link AlertLatch}'s decision; the control policy acts on every explosion finding.
 *
 * @param layerIndex the layer named by the finding, -1 for the whole step
 * @param step       the step at which the condition was seen (the last step of a window)
 */
public record Finding(
        String rule,
        Severity severity,
        String runId,
        String workerId,
        int layerIndex,
        String layerName,
        long step,
        String summary,
        Map<String, Double> evidence,
        String remedy) {

    public Finding {
        evidence = evidence == null ? Map.of() : Map.copyOf(evidence);
        layerName = layerName == null ? "" : layerName;
    }

    static Finding of(String rule, Subject who, long step, String summary, Map<String, Double> evidence,
                      String remedy) {
        return new Finding(rule, Rules.severityOf(rule), who.runId(), who.workerId(), who.layerIndex(), who.layerName(),
                step, summary, evidence, remedy);
    }
}
