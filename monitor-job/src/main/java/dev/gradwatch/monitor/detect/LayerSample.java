package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.LayerStats;

/**
 * One layer's statistics at one step, with the step's identity: what {@link LayerMonitor} and
 * {@link DivergenceMonitor} judge per layer. A worker's end of run does not come as a sample: its
 * operator closes the layers' state with {@link LayerMonitor#closeAll} and
 * {@link DivergenceMonitor#onEndOfRun}.
 */
public record LayerSample(
        String runId,
        String workerId,
        long step,
        long timestampMs,
        double learningRate,
        LayerStats layer) {
}
