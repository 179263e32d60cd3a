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
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Step-counted windows per (run, worker, layer): loads the layer's state, lets {@link LayerMonitor}
 * judge the sample under the rules in force, stores the state and emits its alerts. The second
 * input is the rules topic, broadcast ({@link LiveRules}).
 */
public final class LayerWindowFunction extends KeyedBroadcastProcessFunction<LayerKey, LayerSample, String, Alert> {

    private final LiveRules<LayerMonitor> rules;
    private final IdleTimer idle;
    private transient ValueState<LayerState> state;
    private transient Counter dropped;

    public LayerWindowFunction(RuleSet rules, long idleTimeoutMs) {
        this.rules = new LiveRules<>(rules, LayerMonitor::new);
        this.idle = new IdleTimer(idleTimeoutMs);
    }

    public LayerWindowFunction(DetectorConfig cfg, long idleTimeoutMs) {
        this(RuleSet.of(cfg), idleTimeoutMs);
    }

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(
                new ValueStateDescriptor<>("layer-state", TypeInformation.of(LayerState.class)));
        idle.open(getRuntimeContext());
        dropped = getRuntimeContext().getMetricGroup().counter("samplesOutOfOrder");
    }

    @Override
    public void processElement(LayerSample s, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        LayerState st = state.value();
        if (st == null) st = new LayerState();
        Outcome o = rules.forRun(ctx.getBroadcastState(LiveRules.STATE), s.runId()).onSample(st, s);
        if (o.isDropped()) {
            dropped.inc();
            return;
        }
        state.update(st);
        idle.touch(ctx.timerService());
        o.alerts().forEach(out::collect);
    }

    @Override
    public void processBroadcastElement(String rulesYaml, Context ctx, Collector<Alert> out) throws Exception {
        LiveRules.update(ctx.getBroadcastState(LiveRules.STATE), rulesYaml);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        cleanUp(ctx);
    }

    /** Forgets the layer: state and timer. */
    private void cleanUp(OnTimerContext ctx) throws Exception {
        state.clear();
        idle.clear(ctx.timerService());
    }
}
