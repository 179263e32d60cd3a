package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.StallDetector;
import dev.gradwatch.monitor.detect.StallState;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Watches each (run, worker) on processing time: {@link StallDetector} says when a silent worker is
 * stalled and when it is back. One timer per key at a time: a report does not move the timer (that
 * would cost a timer deletion per record); when the timer fires early it is set again for the
 * latest report's due time. After the stall alert, the key is forgotten at the idle timeout (counted
 * from the last report), the same way out as the other operators' state. An end-of-run marker
 * (a worker that finished normally) forgets the key at once, counted in {@code workersFinished}.
 * Known limitation: a step of the same worker arriving after its marker starts the watch afresh
 * (a restarted worker reusing its ids should be watched); a trainer sends its marker after its last
 * step on the same partition, so this needs a record replayed from before the marker.
 */
public final class StallWatchFunction extends KeyedProcessFunction<WorkerKey, StepStats, Alert> {

    private final StallDetector detector;
    private final long idleTimeoutMs;
    private transient ValueState<StallState> state;
    private transient Counter stalls;
    private transient Counter finished;

    /** @param idleTimeoutMs must be longer than the stall timeout, so a worker is announced before it is forgotten */
    public StallWatchFunction(long stallTimeoutMs, long idleTimeoutMs) {
        if (idleTimeoutMs <= stallTimeoutMs) {
            throw new IllegalArgumentException("state.idle-timeout.ms (" + idleTimeoutMs
                    + ") must be longer than stall.timeout.ms (" + stallTimeoutMs + ")");
        }
        this.detector = new StallDetector(stallTimeoutMs);
        this.idleTimeoutMs = idleTimeoutMs;
    }

    @Override
    public void open(OpenContext ctx) {
        state = getRuntimeContext().getState(
                new ValueStateDescriptor<>("stall-state", TypeInformation.of(StallState.class)));
        stalls = getRuntimeContext().getMetricGroup().counter("workersStalled");
        finished = getRuntimeContext().getMetricGroup().counter("workersFinished");
    }

    @Override
    public void processElement(StepStats s, Context ctx, Collector<Alert> out) throws Exception {
        StallState st = state.value();
        TimerService timers = ctx.timerService();
        if (s.endsRun()) {
            // finished normally: not stalled, forget it (resolving a stalled alert it may have had)
            if (st != null) {
                detector.onEnd(st, s.runId(), s.workerId(), s.step(), timers.currentProcessingTime()).ifPresent(out::collect);
                if (st.timerAt != 0) timers.deleteProcessingTimeTimer(st.timerAt);
                state.clear();
            }
            finished.inc();
            return;
        }
        if (st == null) st = new StallState();
        detector.onReport(st, s.runId(), s.workerId(), s.step(), timers.currentProcessingTime()).ifPresent(out::collect);
        long due = detector.dueAt(st);
        if (st.timerAt == 0 || st.timerAt > due) {
            // no timer yet, or the pending one is the clean-up of a stalled worker that came back
            if (st.timerAt != 0) timers.deleteProcessingTimeTimer(st.timerAt);
            timers.registerProcessingTimeTimer(due);
            st.timerAt = due;
        }
        state.update(st);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        StallState st = state.value();
        if (st == null) return;
        WorkerKey key = ctx.getCurrentKey();
        long now = ctx.timerService().currentProcessingTime();
        st.timerAt = 0;
        if (st.stalled && now >= st.lastSeenMs + idleTimeoutMs) {
            cleanUp(ctx);
            return;
        }
        var alert = detector.onCheck(st, key.runId(), key.workerId(), now);
        alert.ifPresent(a -> {
            stalls.inc();
            out.collect(a);
        });
        long next = st.stalled ? st.lastSeenMs + idleTimeoutMs : detector.dueAt(st);
        ctx.timerService().registerProcessingTimeTimer(Math.max(next, now + 1));
        st.timerAt = Math.max(next, now + 1);
        state.update(st);
    }

    /** Forgets the worker: state and timer. */
    private void cleanUp(OnTimerContext ctx) throws Exception {
        StallState st = state.value();
        if (st != null && st.timerAt != 0) ctx.timerService().deleteProcessingTimeTimer(st.timerAt);
        state.clear();
    }
}
