package dev.gradwatch.monitor.detect;

import java.util.HashMap;
import java.util.Map;

/** Keyed state of one (run, worker) over whole steps: per-step figures and one latch per firing rule. A Flink POJO. */
public final class StepState {

    public SampleRing ring = new SampleRing();
    public Map<String, AlertLatch> latches = new HashMap<>();
    /** Distinct layer kinds of the latest step, joined with commas, for remedies. */
    public String layerKinds = "";
    /**
     * Each layer's kind at the latest step, by position: when the next step's match, {@link #layerKinds}
     * stands. Not checkpointed (transient fields are not part of the POJO): a restored state builds it again.
     */
    transient String[] kindsByPosition;
    public int depth;
    public long lastTimestampMs;
    public double learningRate = Double.NaN;
    /** Best window-mean loss and when it was set, for the loss-not-decreasing rule. */
    public LossPlateau plateau = new LossPlateau();

    public StepState() {
    }
}
