package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.LayerMonitor;
import dev.gradwatch.monitor.detect.LayerSample;
import dev.gradwatch.monitor.detect.LayerState;
import dev.gradwatch.monitor.detect.Outcome;
import dev.gradwatch.monitor.rules.RuleSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.HashMap;
import java.util.Map;

/**
 * Step-counted windows per (run, worker, layer): loads the layer's state, lets {@link LayerMonitor}
 * judge the sample, stores the state and emits its alerts.
 */
public final class LayerWindowFunction extends KeyedProcessFunction<LayerKey, LayerSample, Alert> {

    private final RuleSet rules;
    private final IdleTimer idle;
    /** One monitor per distinct threshold set in force (the defaults and each override used). */
    private transient Map<DetectorConfig, LayerMonitor> monitors;
    private transient ValueState<LayerState> state;
    private transient Counter dropped;

    public LayerWindowFunction(RuleSet rules, long idleTimeoutMs) {
        this.rules = rules;
        this.idle = new IdleTimer(idleTimeoutMs);
    }

    public LayerWindowFunction(DetectorConfig cfg, long idleTimeoutMs) {
        this(RuleSet.of(cfg), idleTimeoutMs);
    }

    @Override
    public void open(OpenContext ctx) {
        monitors = new HashMap<>();
        state = getRuntimeContext().getState(
                new ValueStateDescriptor<>("layer-state", TypeInformation.of(LayerState.class)));
        idle.open(getRuntimeContext());
        dropped = getRuntimeContext().getMetricGroup().counter("samplesOutOfOrder");
    }

    @Override
    public void processElement(LayerSample s, Context ctx, Collector<Alert> out) throws Exception {
        LayerState st = state.value();
        if (st == null) st = new LayerState();
        Outcome o = monitors.computeIfAbsent(rules.forRun(s.runId()), LayerMonitor::new).onSample(st, s);
        if (o.isDropped()) {
            dropped.inc();
            return;
        }
        state.update(st);
        idle.touch(ctx.timerService());
        o.alerts().forEach(out::collect);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        cleanUp(ctx);
    }

    /** Forgets the layer: state and timer. */
    private void cleanUp(Context ctx) throws Exception {
        state.clear();
        idle.clear(ctx.timerService());
    }
}
