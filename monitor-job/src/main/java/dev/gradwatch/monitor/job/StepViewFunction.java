package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.Outcome;
import dev.gradwatch.monitor.detect.StepMonitor;
import dev.gradwatch.monitor.detect.StepState;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The per-(run, worker) view over whole steps: loads the worker's state, lets {@link StepMonitor}
 * judge the step, stores the state and emits its alerts.
 */
public final class StepViewFunction extends KeyedProcessFunction<WorkerKey, StepStats, Alert> {

    private final DetectorConfig cfg;
    private final IdleTimer idle;
    private transient StepMonitor monitor;
    private transient ValueState<StepState> state;
    private transient Counter dropped;

    public StepViewFunction(DetectorConfig cfg, long idleTimeoutMs) {
        this.cfg = cfg;
        this.idle = new IdleTimer(idleTimeoutMs);
    }

    @Override
    public void open(OpenContext ctx) {
        monitor = new StepMonitor(cfg);
        state = getRuntimeContext().getState(
                new ValueStateDescriptor<>("step-state", TypeInformation.of(StepState.class)));
        idle.open(getRuntimeContext());
        dropped = getRuntimeContext().getMetricGroup().counter("stepsOutOfOrder");
    }

    @Override
    public void processElement(StepStats s, Context ctx, Collector<Alert> out) throws Exception {
        StepState st = state.value();
        if (st == null) st = new StepState();
        Outcome o = monitor.onStep(st, s);
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
