package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.Outcome;
import dev.gradwatch.monitor.detect.StepMonitor;
import dev.gradwatch.monitor.detect.StepState;
import dev.gradwatch.monitor.rules.RuleSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The per-(run, worker) view over whole steps: loads the worker's state, lets {@link StepMonitor}
 * judge the step under the rules in force, stores the state and emits its alerts. The second input
 * is the rules topic, broadcast ({@link LiveRules}).
 */
public final class StepViewFunction extends KeyedBroadcastProcessFunction<WorkerKey, StepStats, String, Alert> {

    private final LiveRules<StepMonitor> rules;
    private final IdleTimer idle;
    private transient ValueState<StepState> state;
    private transient Counter dropped;

    public StepViewFunction(RuleSet rules, long idleTimeoutMs) {
        this.rules = new LiveRules<>(rules, StepMonitor::new);
        this.idle = new IdleTimer(idleTimeoutMs);
    }

    public StepViewFunction(DetectorConfig cfg, long idleTimeoutMs) {
        this(RuleSet.of(cfg), idleTimeoutMs);
    }

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(
                new ValueStateDescriptor<>("step-state", TypeInformation.of(StepState.class)));
        idle.open(getRuntimeContext());
        dropped = getRuntimeContext().getMetricGroup().counter("stepsOutOfOrder");
    }

    @Override
    public void processElement(StepStats s, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        StepState st = state.value();
        if (st == null) st = new StepState();
        Outcome o = rules.forRun(ctx.getBroadcastState(LiveRules.STATE), s.runId()).onStep(st, s);
        if (o.isDropped()) {
            dropped.inc();
            if (o.alerts().isEmpty()) return;
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

    /** Forgets the worker's step view: state and timer. */
    private void cleanUp(OnTimerContext ctx) throws Exception {
        state.clear();
        idle.clear(ctx.timerService());
    }
}
