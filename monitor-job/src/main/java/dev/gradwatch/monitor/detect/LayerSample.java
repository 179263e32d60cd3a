package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.LayerStats;

import java.util.Map;

/**
 * One layer's statistics at one step, with the step's identity: the element of the per-layer view.
 *
 * @param labels   the run's labels (the same map for every layer of a step), for rules selected by labels
 * @param endOfRun true when split from an end-of-run marker: the worker finished, its per-layer state
 *                 is closed; the statistics repeat its last step's and are not judged
 */
public record LayerSample(
        String runId,
        String workerId,
        long step,
        long timestampMs,
        double learningRate,
        LayerStats layer,
        Map<String, String> labels,
        boolean endOfRun) {

    public LayerSample {
        labels = labels == null ? Map.of() : labels;
    }

    /** A sample of a run without labels. */
    public LayerSample(String runId, String workerId, long step, long timestampMs, double learningRate, LayerStats layer) {
        this(runId, workerId, step, timestampMs, learningRate, layer, Map.of(), false);
    }

    /** A sample of an ordinary step of a labelled run. */
    public LayerSample(String runId, String workerId, long step, long timestampMs, double learningRate, LayerStats layer,
                       Map<String, String> labels) {
        this(runId, workerId, step, timestampMs, learningRate, layer, labels, false);
    }
}
