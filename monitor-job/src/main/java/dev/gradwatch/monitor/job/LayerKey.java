package dev.gradwatch.monitor.job;

import dev.gradwatch.monitor.detect.LayerSample;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;

/** Key of the per-(run, worker, layer) windows. */
public record LayerKey(String runId, String workerId, int layerIndex) {

    public static final TypeInformation<LayerKey> TYPE = TypeInformation.of(LayerKey.class);

    /** Keys layer samples by run, worker and layer index. */
    public static final class OfSample implements KeySelector<LayerSample, LayerKey> {
        @Override
        public LayerKey getKey(LayerSample s) {
            return new LayerKey(s.runId(), s.workerId(), s.layer().index());
        }
    }
}
