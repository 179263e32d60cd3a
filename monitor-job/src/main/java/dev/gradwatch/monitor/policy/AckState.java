package dev.gradwatch.monitor.policy;

/**
 * Keyed state of the acknowledgement tracker for one (run, worker), bounded: at most
 * {@link AckTracker#MAX_PENDING} pending commands and {@link AckTracker#MAX_ANSWERED} remembered ids.
 * Arrays, not collections, so that Flink serializes it as a POJO. A Flink POJO.
 */
public final class AckState {

    /** Commands waiting for their acknowledgement, oldest first. */
    public PendingCommand[] pending = new PendingCommand[0];
    /** Ids acknowledged (or timed out) lately, oldest first: a redelivered command or ack is not news. */
    public String[] answered = new String[0];
    public boolean unacknowledgedFiring;
    public boolean rejectedFiring;
    /** Processing time of the latest command or ack, for the idle clean-up. */
    public long lastActivityMs;

    public AckState() {
    }
}
