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

    /** Trigger steps of the latest clip-norm commands, oldest first, at most {@code lr.after-clips} of them. */
    public long[] recentClipSteps = new long[0];
    /** Steps of the latest non-finite steps seen under a clip in force, oldest first, bounded likewise. */
    public long[] recentClippedNonFinite = new long[0];
    /** Consecutive reported steps with a non-finite gradient or loss, up to the latest. */
    public int nonFiniteStreak;
    /** First step of that streak, -1 when there is none. */
    public long nonFiniteStreakStart = -1;
    /** Trigger step of the latest {@code SCALE_LR}, -1 before any. */
    public long lastScaleLrStep = -1;
    /** True once a {@code STOP} was sent: the policy sends nothing more to this worker. */
    public boolean stopped;

    public ClipState() {
    }
}
