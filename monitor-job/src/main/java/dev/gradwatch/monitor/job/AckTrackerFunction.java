package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.monitor.policy.AckState;
import dev.gradwatch.monitor.policy.AckTracker;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.io.IOException;

/**
 * Joins, per (run, worker), the commands the job sent with the acks the trainers wrote, and lets
 * {@link AckTracker} raise {@code command_unacknowledged} and {@code command_rejected}. One
 * processing-time timer per key at a time: the earliest ack deadline while commands are pending,
 * else the idle clean-up. State per key is bounded by {@link AckTracker#MAX_PENDING} and
 * {@link AckTracker#MAX_ANSWERED}.
 */
public final class AckTrackerFunction extends KeyedCoProcessFunction<WorkerKey, ControlCommand, ControlAck, Alert> {

    private final AckTracker tracker;
    private final long idleTimeoutMs;
    private transient ValueState<AckState> state;
    private transient ValueState<Long> timer;
    private transient Counter unacknowledged;
    private transient Counter rejected;
    private transient Counter givenUp;

    /** @param idleTimeoutMs must be longer than the ack timeout */
    public AckTrackerFunction(long ackTimeoutMs, long idleTimeoutMs) {
        if (idleTimeoutMs <= ackTimeoutMs) {
            throw new IllegalArgumentException("state.idle-timeout.ms (" + idleTimeoutMs
                    + ") must be longer than command.ack-timeout.ms (" + ackTimeoutMs + ")");
        }
        this.tracker = new AckTracker(ackTimeoutMs);
        this.idleTimeoutMs = idleTimeoutMs;
    }

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("ack-state", TypeInformation.of(AckState.class)));
        timer = getRuntimeContext().getState(new ValueStateDescriptor<>("ack-timer", TypeInformation.of(Long.class)));
        unacknowledged = getRuntimeContext().getMetricGroup().counter("commandsUnacknowledged");
        rejected = getRuntimeContext().getMetricGroup().counter("commandsRejected");
        givenUp = getRuntimeContext().getMetricGroup().counter("commandsPendingOverflow");
    }

    @Override
    public void processElement1(ControlCommand c, Context ctx, Collector<Alert> out) throws Exception {
        AckState st = load();
        int before = st.pending.length;
        boolean waiting = tracker.onCommand(st, c, ctx.timerService().currentProcessingTime());
        if (waiting && st.pending.length <= before) givenUp.inc();
        store(st, ctx.timerService());
    }

    @Override
    public void processElement2(ControlAck ack, Context ctx, Collector<Alert> out) throws Exception {
        AckState st = load();
        for (Alert a : tracker.onAck(st, ack, ctx.timerService().currentProcessingTime())) {
            if (a.status().equals(Alert.FIRING)) rejected.inc();
            out.collect(a);
        }
        store(st, ctx.timerService());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        AckState st = state.value();
        timer.clear();
        if (st == null) return;
        long now = ctx.timerService().currentProcessingTime();
        WorkerKey key = ctx.getCurrentKey();
        for (Alert a : tracker.onCheck(st, key.runId(), key.workerId(), now)) {
            unacknowledged.inc();
            out.collect(a);
        }
        if (st.pending.length == 0 && now >= st.lastActivityMs + idleTimeoutMs) {
            cleanUp(ctx.timerService());
            return;
        }
        store(st, ctx.timerService());
    }

    private AckState load() throws IOException {
        AckState st = state.value();
        return st == null ? new AckState() : st;
    }

    /** Stores the state and moves the key's one timer to the earliest deadline or the idle clean-up. */
    private void store(AckState st, TimerService timers) throws IOException {
        state.update(st);
        long at = Math.min(AckTracker.nextDue(st), st.lastActivityMs + idleTimeoutMs);
        Long old = timer.value();
        if (old != null && old == at) return;
        if (old != null) timers.deleteProcessingTimeTimer(old);
        timers.registerProcessingTimeTimer(at);
        timer.update(at);
    }

    /** Forgets the worker's commands and acks: state and timer. */
    private void cleanUp(TimerService timers) throws IOException {
        Long old = timer.value();
        if (old != null) timers.deleteProcessingTimeTimer(old);
        timer.clear();
        state.clear();
    }
}
