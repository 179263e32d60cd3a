package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.Outcome;
import dev.gradwatch.monitor.rules.RuleSet;
import dev.gradwatch.monitor.detect.StepMonitor;
import dev.gradwatch.monitor.detect.StepState;
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
 * The per-(run, worker) view over whole steps: loads the worker's state, lets {@link StepMonitor}
 * judge the step, stores the state and emits its alerts.
 */
public final class StepViewFunction extends KeyedProcessFunction<WorkerKey, StepStats, Alert> {

    private final RuleSet rules;
    private final IdleTimer idle;
    /** One monitor per distinct threshold set in force (the defaults and each override used). */
    private transient Map<DetectorConfig, StepMonitor> monitors;
    private transient ValueState<StepState> state;
    private transient Counter dropped;

    public StepViewFunction(RuleSet rules, long idleTimeoutMs) {
        this.rules = rules;
        this.idle = new IdleTimer(idleTimeoutMs);
    }

    public StepViewFunction(DetectorConfig cfg, long idleTimeoutMs) {
        this(RuleSet.of(cfg), idleTimeoutMs);
    }

    @Override
    public void open(OpenContext ctx) {
        monitors = new HashMap<>();
        state = getRuntimeContext().getState(
                new ValueStateDescriptor<>("step-state", TypeInformation.of(StepState.class)));
        idle.open(getRuntimeContext());
        dropped = getRuntimeContext().getMetricGroup().counter("stepsOutOfOrder");
    }

    @Override
    public void processElement(StepStats s, Context ctx, Collector<Alert> out) throws Exception {
        StepState st = state.value();
        if (st == null) st = new StepState();
        Outcome o = monitors.computeIfAbsent(rules.forRun(s.runId()), StepMonitor::new).onStep(st, s);
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

    /** Forgets the worker's step view: state and timer. */
    private void cleanUp(Context ctx) throws Exception {
        state.clear();
        idle.clear(ctx.timerService());
    }
}
