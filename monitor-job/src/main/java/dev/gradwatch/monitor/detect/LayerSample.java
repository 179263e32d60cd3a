package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.LayerStats;

import java.util.Map;

/**
 * One layer's statistics at one step, with the step's identity: the element of the per-layer view.
 * A worker's end of run does not come as a sample: its operator closes the layers' state with
 * {@link LayerMonitor#closeAll} and {@link DivergenceMonitor#onEndOfRun}.
 *
 * @param labels the run's labels (the same map for every layer of a step), for rules selected by labels
 */
public record LayerSample(
        String runId,
        String workerId,
        long step,
        long timestampMs,
        double learningRate,
        LayerStats layer,
        Map<String, String> labels) {

    public LayerSample {
        labels = labels == null ? Map.of() : labels;
    }

    /** A sample of a run without labels. */
    public LayerSample(String runId, String workerId, long step, long timestampMs, double learningRate, LayerStats layer) {
        this(runId, workerId, step, timestampMs, learningRate, layer, Map.of());
    }
}
