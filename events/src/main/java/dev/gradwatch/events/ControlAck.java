package dev.gradwatch.events;

/**
 * A trainer's answer to a {@link ControlCommand}: applied, or rejected with the reason.
 *
 * @param step the training step from which the command is in force
 */
public record ControlAck(
        int schemaVersion,
        String commandId,
        String runId,
        String workerId,
        boolean applied,
        String detail,
        long step,
        long timestampMs) {

    public static final int CURRENT_VERSION = 1;

    public ControlAck {
        StepStats.requireId(commandId, "commandId");
        StepStats.requireId(runId, "runId");
        StepStats.requireId(workerId, "workerId");
        detail = detail == null ? "" : detail;
    }
}
