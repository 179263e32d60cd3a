package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.monitor.detect.ClosesState;
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

import java.util.List;
import java.util.Map;

/**
 * The wiring every keyed detector operator shares: load the key's state, let the detector for the
 * record's run (under the rules in force, broadcast by {@link LiveRules}) judge the record, store
 * the state, touch the idle timer, emit the alerts; count records the detector dropped as out of
 * order; when the key has been idle, resolve its firing alerts (reason "no data for N s, state
 * cleared", counted in {@code alertsResolvedOnStateCleared}) and forget state and timer. Subclasses say only what the state
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
    private transient Counter closed;
    /** How long a key may be silent before its state is cleared; subclasses also forget silent parts of a key's state by it. */
    final long idleTimeoutMs;

    RuleJudgedFunction(RuleSet rules, LiveRules.SerializableFunction<DetectorConfig, M> detector, long idleTimeoutMs,
                       String stateName, Class<S> stateType, String droppedMetric) {
        this.rules = new LiveRules<>(rules, detector);
        this.idle = new IdleTimer(idleTimeoutMs);
        this.idleTimeoutMs = idleTimeoutMs;
        this.stateName = stateName;
        this.stateType = stateType;
        this.droppedMetric = droppedMetric;
    }

    /** A fresh state for a key seen for the first time. */
    abstract S newState();

    abstract String runId(IN record);

    /** The run's labels the record carries, for overrides that select by labels. */
    abstract Map<String, String> labels(IN record);

    /**
     * The record as the detector will see it, or null when it has gone elsewhere (a side output) and
     * there is nothing to judge: a subclass that receives records still to be decoded decodes them here,
     * before the rules are chosen by the run's labels.
     */
    IN prepare(IN record, ReadOnlyContext ctx) throws Exception {
        return record;
    }

    /** The detector's verdict on one record; it may update {@code state} and write side outputs. */
    abstract Outcome judge(M detector, S state, IN record, ReadOnlyContext ctx) throws Exception;

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
        closed = getRuntimeContext().getMetricGroup().counter("alertsResolvedOnStateCleared");
    }

    @Override
    public void processElement(IN record, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        record = prepare(record, ctx);
        if (record == null) return;
        S st = state.value();
        if (st == null) st = newState();
        Outcome o = judge(rules.forRun(ctx.getBroadcastState(LiveRules.STATE), runId(record), labels(record)), st, record, ctx);
        if (o.forgetsState()) {
            // the run ended: the closing alerts, then the key is forgotten
            o.alerts().forEach(out::collect);
            closed.inc(o.alerts().size());
            state.clear();
            idle.clear(ctx.timerService());
            return;
        }
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

    /**
     * The key has been idle: resolve what still fires in its state (with the reason, so that no alert
     * stays firing for a subject nobody watches), then forget its state and timer.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        S st = state.value();
        if (st != null) {
            closeFiring(st, ctx.getCurrentKey(), ctx, ctx.timerService().currentProcessingTime(),
                    "no data for " + idleTimeoutMs / 1000 + " s, state cleared", out);
        }
        state.clear();
        idle.clear(ctx.timerService());
    }

    /** Resolved alerts for the firing alerts of a key whose state is about to be cleared. */
    private void closeFiring(S st, K key, ReadOnlyContext ctx, long nowMs, String reason, Collector<Alert> out)
            throws Exception {
        M detector = rules.forRun(ctx.getBroadcastState(LiveRules.STATE), runIdOfKey(key));
        for (Alert a : closeAll(detector, st, key, nowMs, reason)) {
            closed.inc();
            out.collect(a);
        }
    }

    /** The run a key belongs to. */
    abstract String runIdOfKey(K key);

    /**
     * One resolved alert per alert still firing in the key's state, which is about to be cleared
     * (see {@link ClosesState}).
     */
    abstract List<Alert> closeAll(M detector, S state, K key, long timestampMs, String reason);
}
