package dev.gradwatch.monitor.job;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

import java.io.IOException;
import java.io.Serializable;

/**
 * The way out of a key's state: a processing-time timer that fires once the key has been silent
 * for the idle timeout (a run that ended, a worker that was removed). Timer times are rounded up
 * so that a busy key re-registers at most about ten times per timeout, not once per record.
 */
final class IdleTimer implements Serializable {

    private final long idleMs;
    private final long granularityMs;
    private transient ValueState<Long> due;

    IdleTimer(long idleMs) {
        this.idleMs = idleMs;
        this.granularityMs = Math.max(1000, idleMs / 10);
    }

    void open(RuntimeContext rc) {
        due = rc.getState(new ValueStateDescriptor<>("idle-timer", Types.LONG));
    }

    /** Pushes the key's clean-up back after activity. */
    void touch(TimerService timers) throws IOException {
        long at = (timers.currentProcessingTime() + idleMs + granularityMs - 1) / granularityMs * granularityMs;
        Long old = due.value();
        if (old != null && old == at) return;
        if (old != null) timers.deleteProcessingTimeTimer(old);
        timers.registerProcessingTimeTimer(at);
        due.update(at);
    }

    void clear(TimerService timers) throws IOException {
        Long old = due.value();
        if (old != null) timers.deleteProcessingTimeTimer(old);
        due.clear();
    }
}
