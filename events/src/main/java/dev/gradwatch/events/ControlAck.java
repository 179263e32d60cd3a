package dev.gradwatch.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A trainer's answer to a {@link ControlCommand}: applied, or rejected with the reason.
 *
 * @param step the training step from which the command is in force
 */
public record ControlAck(
        @JsonProperty(required = true) int schemaVersion,
        @JsonProperty(required = true) String commandId,
        @JsonProperty(required = true) String runId,
        @JsonProperty(required = true) String workerId,
        @JsonProperty(required = true) boolean applied,
        String detail,
        @JsonProperty(required = true) long step,
        @JsonProperty(required = true) long timestampMs) {

    public static final int CURRENT_VERSION = 1;

    public ControlAck {
        StepStats.requireId(commandId, "commandId");
        StepStats.requireId(runId, "runId");
        StepStats.requireId(workerId, "workerId");
        detail = detail == null ? "" : detail;
    }
}
