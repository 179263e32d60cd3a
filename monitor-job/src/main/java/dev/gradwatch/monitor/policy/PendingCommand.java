package dev.gradwatch.monitor.policy;

/** A control command sent and not yet acknowledged. A Flink POJO, kept in {@link AckState}. */
public final class PendingCommand {

    public String commandId;
    public String type;
    /** The trigger step, from the id ({@code TYPE:run:worker@step}); the sequence number when the id has none. */
    public long step;
    public long seq;
    public long sentAtMs;
    /** Processing time after which the command counts as unacknowledged. */
    public long dueAtMs;

    public PendingCommand() {
    }
}
