package dev.gradwatch.monitor.job;

import dev.gradwatch.monitor.detect.LayerSample;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;

/** Key of the per-(run, layer, step) view across workers: every worker of a run meets here, layer by layer. */
public record RunLayerKey(String runId, int layerIndex) {

    public static final TypeInformation<RunLayerKey> TYPE = TypeInformation.of(RunLayerKey.class);

    /** Keys layer samples by run and layer index. */
    public static final class OfSample implements KeySelector<LayerSample, RunLayerKey> {
        @Override
        public RunLayerKey getKey(LayerSample s) {
            return new RunLayerKey(s.runId(), s.layer().index());
        }
    }
}
