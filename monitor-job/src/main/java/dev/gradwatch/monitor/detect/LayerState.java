package dev.gradwatch.monitor.detect;

import java.util.HashMap;
import java.util.Map;

/** Keyed state of one (run, worker, layer): its recent samples and one latch per firing rule. A Flink POJO. */
public final class LayerState {

    public SampleRing ring = new SampleRing();
    /** Latches by rule name; idle latches are removed, so this holds only what is firing or clearing. */
    public Map<String, AlertLatch> latches = new HashMap<>();
    public String layerName = "";
    public String layerKind = "";
    public double learningRate = Double.NaN;
    /** Timestamp of the latest sample, for alerts raised on a window a gap skipped over. */
    public long lastTimestampMs;

    public LayerState() {
    }
}
