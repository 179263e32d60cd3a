package dev.gradwatch.events;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;
import java.util.Objects;

/**
 * A finding of the monitor job about one run (and, where it applies, one worker and layer).
 *
 * @param alertId     stable id of this alert event; consumers drop duplicates by it
 * @param fingerprint stable id of the condition (rule, run, worker, layer); the same while it lasts
 * @param status      {@code firing} or {@code resolved}
 * @param layerIndex  the layer concerned, or -1 when the alert is about the whole step
 * @param evidence    the numbers that made the rule fire, by name
 * @param remedy      what a person can do about it, derived from the evidence
 */
public record Alert(
        @JsonProperty(required = true) int schemaVersion,
        @JsonProperty(required = true) String alertId,
        @JsonProperty(required = true) String fingerprint,
        @JsonProperty(required = true) String rule,
        @JsonProperty(required = true) Severity severity,
        @JsonProperty(required = true) String status,
        @JsonProperty(required = true) String runId,
        String workerId,
        @JsonProperty(required = true) int layerIndex,
        String layerName,
        @JsonProperty(required = true) long step,
        @JsonProperty(required = true) long timestampMs,
        String summary,
        Map<String, Double> evidence,
        String remedy) {

    public static final int CURRENT_VERSION = 1;
    public static final String FIRING = "firing";
    public static final String RESOLVED = "resolved";

    public Alert {
        if (schemaVersion < 1 || schemaVersion > CURRENT_VERSION) {
            throw new IllegalArgumentException("schemaVersion must be between 1 and " + CURRENT_VERSION);
        }
        StepStats.requireId(alertId, "alertId");
        StepStats.requireId(fingerprint, "fingerprint");
        StepStats.requireId(rule, "rule");
        Objects.requireNonNull(severity, "severity");
        if (!FIRING.equals(status) && !RESOLVED.equals(status)) {
            throw new IllegalArgumentException("status must be 'firing' or 'resolved', got " + status);
        }
        StepStats.requireId(runId, "runId");
        evidence = evidence == null ? Map.of() : Map.copyOf(evidence);
        summary = summary == null ? "" : summary;
        remedy = remedy == null ? "" : remedy;
    }
}
