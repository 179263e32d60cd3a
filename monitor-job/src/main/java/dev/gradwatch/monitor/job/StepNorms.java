package dev.gradwatch.monitor.job;

import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.job.wire.StepNormsSerializer;
import dev.gradwatch.monitor.job.wire.WireType;

import java.util.List;
import java.util.Map;

/**
 * What the comparison across workers needs of one worker's step: each layer's gradient norm with
 * the layer's identity. One such record per step crosses to the run's operator, instead of one
 * record per layer.
 *
 * @param labels   the run's labels, for rules selected by labels
 * @param endOfRun true when taken from the worker's end-of-run marker: the worker leaves the comparison
 */
public record StepNorms(String runId, String workerId, long step, long timestampMs,
                        int[] layerIndex, String[] layerName, String[] layerKind, double[] gradL2,
                        Map<String, String> labels, boolean endOfRun) {

    public StepNorms {
        labels = labels == null ? Map.of() : labels;
    }

    public static final WireType<StepNorms> TYPE = new WireType<>(StepNorms.class, StepNormsSerializer.INSTANCE);

    public static StepNorms of(StepStats s) {
        List<LayerStats> layers = s.layers();
        int n = layers.size();
        int[] index = new int[n];
        String[] name = new String[n];
        String[] kind = new String[n];
        double[] norm = new double[n];
        for (int i = 0; i < n; i++) {
            LayerStats l = layers.get(i);
            index[i] = l.index();
            name[i] = l.name();
            kind[i] = l.kind();
            norm[i] = l.gradL2();
        }
        return new StepNorms(s.runId(), s.workerId(), s.step(), s.timestampMs(), index, name, kind, norm, s.labels(),
                s.endsRun());
    }

    public int layers() {
        return layerIndex.length;
    }
}
