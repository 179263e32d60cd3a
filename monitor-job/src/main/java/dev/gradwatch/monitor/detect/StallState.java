package dev.gradwatch.monitor.detect;

/** Keyed state of the stall watch for one (run, worker). A Flink POJO. */
public final class StallState {

    /** Highest step the worker has reported, -1 before any. */
    public long lastStep = -1;
    /** Processing time at which the worker last reported. */
    public long lastSeenMs;
    /** True while a {@code stalled_worker} alert is firing for this worker. */
    public boolean stalled;
    /** The one pending processing-time timer of this key, 0 when none. */
    public long timerAt;

    public StallState() {
    }
}
