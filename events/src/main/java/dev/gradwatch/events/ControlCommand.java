package dev.gradwatch.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An instruction from the monitor job to the trainers of one run.
 *
 * @param workerId  the worker addressed, or {@code *} for every worker of the run
 * @param value     the new clip norm for {@link Type#SET_CLIP_NORM}, the factor for {@link Type#SCALE_LR}
 * @param seq       sequence number per run, increasing; trainers ignore a sequence they have seen
 * @param expiresAtMs wall-clock time after which the command must not be applied
 * @param keyId     id of the signing key, or null while commands are unsigned
 * @param signature signature over the command's fields, or null while commands are unsigned
 */
public record ControlCommand(
        @JsonProperty(required = true) int schemaVersion,
        @JsonProperty(required = true) String commandId,
        @JsonProperty(required = true) String runId,
        @JsonProperty(required = true) String workerId,
        @JsonProperty(required = true) Type type,
        @JsonProperty(required = true) double value,
        String reason,
        @JsonProperty(required = true) long seq,
        @JsonProperty(required = true) long issuedAtMs,
        @JsonProperty(required = true) long expiresAtMs,
        String keyId,
        String signature) {

    public static final int CURRENT_VERSION = 1;
    public static final String ALL_WORKERS = "*";

    /** What a command asks the trainer to do. */
    public enum Type { SET_CLIP_NORM, SCALE_LR, STOP }

    public ControlCommand {
        if (schemaVersion < 1 || schemaVersion > CURRENT_VERSION) {
            throw new IllegalArgumentException("schemaVersion must be between 1 and " + CURRENT_VERSION);
        }
        StepStats.requireId(commandId, "commandId");
        StepStats.requireId(runId, "runId");
        StepStats.requireId(workerId, "workerId");
        if (type == null) throw new IllegalArgumentException("type must be one of SET_CLIP_NORM, SCALE_LR, STOP");
        if (type != Type.STOP && !(Double.isFinite(value) && value > 0)) {
            throw new IllegalArgumentException(type + " needs a finite positive value, got " + value);
        }
        reason = reason == null ? "" : reason;
    }

    /** True when this command is meant for the given worker. */
    public boolean addresses(String runId, String workerId) {
        return this.runId.equals(runId) && (ALL_WORKERS.equals(this.workerId) || this.workerId.equals(workerId));
    }
}
