package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.DivergenceMonitor;
import dev.gradwatch.monitor.detect.DivergenceState;
import dev.gradwatch.monitor.detect.LayerSample;
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
 * The per-(run, layer, step) view across workers: loads the (run, layer)'s state, lets
 * {@link DivergenceMonitor} take the worker's sample under the rules in force, stores the state and
 * emits its alerts. The second input is the rules topic, broadcast ({@link LiveRules}).
 */
public final class WorkerDivergenceFunction
        extends KeyedBroadcastProcessFunction<RunLayerKey, LayerSample, String, Alert> {

    private final LiveRules<DivergenceMonitor> rules;
    private final IdleTimer idle;
    private transient ValueState<DivergenceState> state;
    private transient Counter late;

    public WorkerDivergenceFunction(RuleSet rules, long idleTimeoutMs) {
        this.rules = new LiveRules<>(rules, DivergenceMonitor::new);
        this.idle = new IdleTimer(idleTimeoutMs);
    }

    public WorkerDivergenceFunction(DetectorConfig cfg, long idleTimeoutMs) {
        this(RuleSet.of(cfg), idleTimeoutMs);
    }

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(
                new ValueStateDescriptor<>("divergence-state", TypeInformation.of(DivergenceState.class)));
        idle.open(getRuntimeContext());
        late = getRuntimeContext().getMetricGroup().counter("samplesLateForWorkerComparison");
    }

    @Override
    public void processElement(LayerSample s, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        DivergenceState st = state.value();
        if (st == null) st = new DivergenceState();
        Outcome o = rules.forRun(ctx.getBroadcastState(LiveRules.STATE), s.runId()).onSample(st, s);
        if (o.isDropped()) {
            late.inc();
            // a late sample may still have taught the state a new worker
            state.update(st);
            idle.touch(ctx.timerService());
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

    /** Forgets the (run, layer): pending steps, worker tracks and timer. */
    private void cleanUp(OnTimerContext ctx) throws Exception {
        state.clear();
        idle.clear(ctx.timerService());
    }
}
