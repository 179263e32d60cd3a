package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.monitor.detect.DetectorConfig;
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
 * The wiring every keyed detector operator shares: load the key's state, let the detector for the
 * record's run (under the rules in force, broadcast by {@link LiveRules}) judge the record, store
 * the state, touch the idle timer, emit the alerts; count records the detector dropped as out of
 * order; forget state and timer when the key has been idle. Subclasses say only what the state
 * is and which detector call judges a record.
 *
 * @param <K>  the key
 * @param <IN> the record judged
 * @param <S>  the key's state
 * @param <M>  the detector
 */
abstract class RuleJudgedFunction<K, IN, S, M> extends KeyedBroadcastProcessFunction<K, IN, String, Alert> {

    private final LiveRules<M> rules;
    private final IdleTimer idle;
    private final String stateName;
    private final Class<S> stateType;
    private final String droppedMetric;
    private transient ValueState<S> state;
    private transient Counter dropped;

    RuleJudgedFunction(RuleSet rules, LiveRules.SerializableFunction<DetectorConfig, M> detector, long idleTimeoutMs,
                       String stateName, Class<S> stateType, String droppedMetric) {
        this.rules = new LiveRules<>(rules, detector);
        this.idle = new IdleTimer(idleTimeoutMs);
        this.stateName = stateName;
        this.stateType = stateType;
        this.droppedMetric = droppedMetric;
    }

    /** A fresh state for a key seen for the first time. */
    abstract S newState();

    abstract String runId(IN record);

    /** The detector's verdict on one record; it may update {@code state}. */
    abstract Outcome judge(M detector, S state, IN record);

    /**
     * The same, for a subclass that also writes side outputs; null when there was nothing to judge
     * (the record went to a side output instead), and then state and timer are left alone.
     */
    Outcome judge(M detector, S state, IN record, ReadOnlyContext ctx) throws Exception {
        return judge(detector, state, record);
    }

    /**
     * Whether the state is kept when the detector dropped the record: a dropped record may still
     * have taught the state something (a new worker) or carry alerts that do not wait for a window.
     */
    boolean keepsStateOfDroppedRecords() {
        return false;
    }

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>(stateName, TypeInformation.of(stateType)));
        idle.open(getRuntimeContext());
        dropped = getRuntimeContext().getMetricGroup().counter(droppedMetric);
    }

    @Override
    public void processElement(IN record, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        S st = state.value();
        if (st == null) st = newState();
        Outcome o = judge(rules.forRun(ctx.getBroadcastState(LiveRules.STATE), runId(record)), st, record, ctx);
        if (o == null) return;
        if (o.isDropped()) {
            dropped.inc();
            if (!keepsStateOfDroppedRecords() && o.alerts().isEmpty()) return;
        }
        state.update(st);
        idle.touch(ctx.timerService());
        o.alerts().forEach(out::collect);
    }

    @Override
    public void processBroadcastElement(String rulesYaml, Context ctx, Collector<Alert> out) throws Exception {
        LiveRules.update(ctx.getBroadcastState(LiveRules.STATE), rulesYaml);
    }

    /** The key has been idle: forget its state and timer. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        state.clear();
        idle.clear(ctx.timerService());
    }
}
