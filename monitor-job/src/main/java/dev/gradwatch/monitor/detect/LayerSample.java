package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.LayerStats;

/** One layer's statistics at one step, with the step's identity: the element of the per-layer view. */
public record LayerSample(
        String runId,
        String workerId,
        long step,
        long timestampMs,
        double learningRate,
        LayerStats layer) {
}
