package dev.gradwatch.monitor.policy;

import dev.gradwatch.monitor.detect.SampleRing;

/** Keyed state of the clip policy for one (run, worker). A Flink POJO. */
public final class ClipState {

    /** Recent global gradient norms by step (NaN at non-finite steps). */
    public SampleRing norms = new SampleRing();
    /** Sequence number of the latest command, 0 before any; increasing and at least its trigger step. */
    public long seq;
    /** Trigger step of the latest command, -1 before any. */
    public long lastCommandStep = -1;
    public double lastCommandValue = Double.NaN;

    public ClipState() {
    }
}
