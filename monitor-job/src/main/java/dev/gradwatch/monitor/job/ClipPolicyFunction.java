package dev.gradwatch.monitor.job;

import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.policy.ClipPolicyConfig;
import dev.gradwatch.monitor.policy.ClipState;
import dev.gradwatch.monitor.policy.ControlPolicy;
import dev.gradwatch.monitor.policy.EscalationConfig;
import dev.gradwatch.monitor.rules.RuleSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The control policy per (run, worker): loads the worker's norm history and escalation counters, lets
 * {@link ControlPolicy} judge the step with the detector thresholds in force (clip norm, then learning
 * rate, then stop), stores the state and emits the commands it decides on, counted by type. The
 * second input is the rules topic, broadcast ({@link LiveRules}).
 */
public final class ClipPolicyFunction
        extends KeyedBroadcastProcessFunction<WorkerKey, StepStats, String, ControlCommand> {

    private final LiveRules<ControlPolicy> rules;
    private final IdleTimer idle;
    private transient ValueState<ClipState> state;
    private transient Counter issued;
    private transient Counter lrScaled;
    private transient Counter stopped;

    public ClipPolicyFunction(ClipPolicyConfig cfg, EscalationConfig escalation, RuleSet rules, long idleTimeoutMs) {
        this.rules = new LiveRules<>(rules, d -> new ControlPolicy(cfg, escalation, d));
        this.idle = new IdleTimer(idleTimeoutMs);
    }

    public ClipPolicyFunction(ClipPolicyConfig cfg, RuleSet rules, long idleTimeoutMs) {
        this(cfg, EscalationConfig.DEFAULTS, rules, idleTimeoutMs);
    }

    public ClipPolicyFunction(ClipPolicyConfig cfg, DetectorConfig detectors, long idleTimeoutMs) {
        this(cfg, RuleSet.of(detectors), idleTimeoutMs);
    }

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(
                new ValueStateDescriptor<>("clip-state", TypeInformation.of(ClipState.class)));
        idle.open(getRuntimeContext());
        issued = getRuntimeContext().getMetricGroup().counter("clipCommands");
        lrScaled = getRuntimeContext().getMetricGroup().counter("scaleLrCommands");
        stopped = getRuntimeContext().getMetricGroup().counter("stopCommands");
    }

    @Override
    public void processElement(StepStats s, ReadOnlyContext ctx, Collector<ControlCommand> out) throws Exception {
        ClipState st = state.value();
        if (st == null) st = new ClipState();
        ControlPolicy policy = rules.forRun(ctx.getBroadcastState(LiveRules.STATE), s.runId(), s.labels());
        var commands = policy.onStats(st, s, ctx.timerService().currentProcessingTime());
        state.update(st);
        idle.touch(ctx.timerService());
        for (ControlCommand c : commands) {
            switch (c.type()) {
                case SET_CLIP_NORM -> issued.inc();
                case SCALE_LR -> lrScaled.inc();
                case STOP -> stopped.inc();
            }
            out.collect(c);
        }
    }

    @Override
    public void processBroadcastElement(String rulesYaml, Context ctx, Collector<ControlCommand> out) throws Exception {
        LiveRules.update(ctx.getBroadcastState(LiveRules.STATE), rulesYaml);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ControlCommand> out) throws Exception {
        cleanUp(ctx);
    }

    /** Forgets the worker's norm history, escalation counters and last command: state and timer. */
    private void cleanUp(OnTimerContext ctx) throws Exception {
        state.clear();
        idle.clear(ctx.timerService());
    }
}
