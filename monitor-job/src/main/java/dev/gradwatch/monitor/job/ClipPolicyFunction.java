package dev.gradwatch.monitor.job;

import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.Finding;
import dev.gradwatch.monitor.policy.ClipPolicy;
import dev.gradwatch.monitor.policy.ClipPolicyConfig;
import dev.gradwatch.monitor.policy.ClipState;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.util.Optional;

/**
 * Per (run, worker): statistics on the first input feed the norm history, explosion findings on the
 * second trigger {@link ClipPolicy}; its commands are the output.
 */
public final class ClipPolicyFunction extends KeyedCoProcessFunction<WorkerKey, StepStats, Finding, ControlCommand> {

    private final ClipPolicyConfig cfg;
    private final double ceiling;
    private final IdleTimer idle;
    private transient ClipPolicy policy;
    private transient ValueState<ClipState> state;
    private transient Counter issued;

    public ClipPolicyFunction(ClipPolicyConfig cfg, double ceiling, long idleTimeoutMs) {
        this.cfg = cfg;
        this.ceiling = ceiling;
        this.idle = new IdleTimer(idleTimeoutMs);
    }

    @Override
    public void open(OpenContext ctx) {
        policy = new ClipPolicy(cfg, ceiling);
        state = getRuntimeContext().getState(
                new ValueStateDescriptor<>("clip-state", TypeInformation.of(ClipState.class)));
        idle.open(getRuntimeContext());
        issued = getRuntimeContext().getMetricGroup().counter("clipCommands");
    }

    @Override
    public void processElement1(StepStats s, Context ctx, Collector<ControlCommand> out) throws Exception {
        ClipState st = load();
        emit(policy.onStats(st, s, ctx.timerService().currentProcessingTime()), out);
        state.update(st);
        idle.touch(ctx.timerService());
    }

    @Override
    public void processElement2(Finding f, Context ctx, Collector<ControlCommand> out) throws Exception {
        ClipState st = load();
        emit(policy.onEvidence(st, f, ctx.timerService().currentProcessingTime()), out);
        state.update(st);
        idle.touch(ctx.timerService());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ControlCommand> out) throws Exception {
        cleanUp(ctx);
    }

    /** Forgets the worker's norm history and command sequence: state and timer. */
    private void cleanUp(Context ctx) throws Exception {
        state.clear();
        idle.clear(ctx.timerService());
    }

    private ClipState load() throws Exception {
        ClipState st = state.value();
        return st == null ? new ClipState() : st;
    }

    private void emit(Optional<ControlCommand> c, Collector<ControlCommand> out) {
        c.ifPresent(cmd -> {
            issued.inc();
            out.collect(cmd);
        });
    }
}
