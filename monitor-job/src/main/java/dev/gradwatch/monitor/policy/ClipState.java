package dev.gradwatch.monitor.policy;

import dev.gradwatch.monitor.detect.SampleRing;

/** Keyed state of the clip policy for one (run, worker). A Flink POJO. */
public final class ClipState {

    /** Recent finite global gradient norms by step. */
    public SampleRing norms = new SampleRing();
    /** Latest step of statistics seen, -1 before any. */
    public long lastStatsStep = -1;
    /** The clip norm the trainer reported in force at its latest step (+Inf when none). */
    public double clipInForce = Double.POSITIVE_INFINITY;
    /** Sequence number of the latest command, 0 before any; increasing and at least its trigger step. */
    public long seq;
    /** Trigger step of the latest command, -1 before any. */
    public long lastCommandStep = -1;
    public double lastCommandValue = Double.NaN;
    /** Explosion evidence that arrived before the statistics of its step, -1 when none. */
    public long pendingStep = -1;
    public String pendingRule = "";
    public String pendingSummary = "";

    public ClipState() {
    }
}
