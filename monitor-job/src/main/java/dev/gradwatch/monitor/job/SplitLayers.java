package dev.gradwatch.monitor.job;

import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.LayerSample;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** One step's statistics as one sample per layer, for the per-layer windows. */
public final class SplitLayers implements FlatMapFunction<StepStats, LayerSample> {

    @Override
    public void flatMap(StepStats s, Collector<LayerSample> out) {
        for (LayerStats l : s.layers()) {
            out.collect(new LayerSample(s.runId(), s.workerId(), s.step(), s.timestampMs(), s.learningRate(), l,
                    s.labels(), s.endsRun()));
        }
    }
}
