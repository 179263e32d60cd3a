package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.LayerMonitor;
import dev.gradwatch.monitor.detect.LayerSample;
import dev.gradwatch.monitor.detect.Outcome;
import dev.gradwatch.monitor.detect.StepMonitor;
import dev.gradwatch.monitor.ingest.StatsDecoder;
import dev.gradwatch.monitor.ingest.StatsEnvelope;
import dev.gradwatch.monitor.job.wire.StepStatsSerializer;
import dev.gradwatch.monitor.policy.ClipPolicyConfig;
import dev.gradwatch.monitor.policy.ClipState;
import dev.gradwatch.monitor.policy.ControlPolicy;
import dev.gradwatch.monitor.policy.EscalationConfig;
import dev.gradwatch.monitor.rules.RuleSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything judged per (run, worker), in one call per step: decodes the record when it arrived
 * raw (so decoding runs after the shuffle, on every parallel instance), then {@link StepMonitor}
 * judges the whole step and {@link LayerMonitor} each of its layers, with every layer's windows in
 * this worker's state, and {@link ControlPolicy} decides the commands for the trainer, which leave
 * through {@link #COMMANDS}. One shuffle per step instead of one per step and two per layer; and
 * a command is decided where the step is judged, without another hop through the network (nor the
 * step's serialization for it) between the exploding step and the clip command.
 *
 * <p>Counts steps not after the last one seen in {@code stepsOutOfOrder} and, per layer, samples
 * not after the layer's last one in {@code samplesOutOfOrder} (a late non-finite step is still
 * announced). Every decoded step goes on to {@link #STATS} for the operators after this one (stall
 * watch, control policy, comparison across workers), dropped or not. A raw record whose payload
 * names another run or worker than its Kafka key goes to the dead letters with that reason: it was
 * routed to the wrong key.
 */
public final class WorkerViewFunction
        extends RuleJudgedFunction<WorkerKey, StatsEnvelope, WorkerViewState, WorkerMonitors> {

    /** The decoded steps, keyed as this operator is: by (run, worker). */
    public static final OutputTag<StepStats> STATS = new OutputTag<>("decoded-stats", StepStatsSerializer.TYPE);
    /** The control policy's commands for the trainers, in the order it decided them. */
    public static final OutputTag<ControlCommand> COMMANDS =
            new OutputTag<>("control-commands", TypeInformation.of(ControlCommand.class));

    private transient Counter layersDropped;
    private transient Counter decoded;
    private transient Counter deadLetters;
    private transient Counter clipCommands;
    private transient Counter scaleLrCommands;
    private transient Counter stopCommands;

    public WorkerViewFunction(RuleSet rules, ClipPolicyConfig clip, EscalationConfig escalation, long idleTimeoutMs) {
        super(rules, WorkerMonitors.factory(clip, escalation), idleTimeoutMs, "worker-view-state",
                WorkerViewState.class, "stepsOutOfOrder");
    }

    public WorkerViewFunction(RuleSet rules, long idleTimeoutMs) {
        this(rules, ClipPolicyConfig.DEFAULTS, EscalationConfig.DEFAULTS, idleTimeoutMs);
    }

    public WorkerViewFunction(DetectorConfig cfg, long idleTimeoutMs) {
        this(RuleSet.of(cfg), idleTimeoutMs);
    }

    @Override
    public void open(OpenContext ctx) {
        super.open(ctx);
        layersDropped = getRuntimeContext().getMetricGroup().counter("samplesOutOfOrder");
        decoded = getRuntimeContext().getMetricGroup().counter("statsDecoded");
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        clipCommands = getRuntimeContext().getMetricGroup().counter("clipCommands");
        scaleLrCommands = getRuntimeContext().getMetricGroup().counter("scaleLrCommands");
        stopCommands = getRuntimeContext().getMetricGroup().counter("stopCommands");
    }

    @Override
    WorkerViewState newState() {
        return new WorkerViewState();
    }

    @Override
    String runId(StatsEnvelope e) {
        return e.runId();
    }

    @Override
    boolean keepsStateOfDroppedRecords() {
        // a step too late for the step view may still be news to a layer (one not reported before)
        return true;
    }

    @Override
    Map<String, String> labels(StatsEnvelope e) {
        return e.stats().labels();
    }

    /** A raw record is decoded here, after the shuffle; a misrouted or undecodable one goes to the dead letters. */
    @Override
    StatsEnvelope prepare(StatsEnvelope e, ReadOnlyContext ctx) {
        if (e.stats() != null) return e;
        StepStats s = decode(e, ctx);
        return s == null ? null : StatsEnvelope.decoded(s);
    }

    @Override
    Outcome judge(WorkerMonitors monitors, WorkerViewState st, StatsEnvelope e, ReadOnlyContext ctx) {
        StepStats s = e.stats();
        long now = ctx.timerService().currentProcessingTime();
        // a state restored from before the policy ran here has no policy memory yet
        if (st.clip == null) st.clip = new ClipState();
        // the commands first: they are what the trainer waits for
        for (ControlCommand c : monitors.policy().onStats(st.clip, s, now)) {
            switch (c.type()) {
                case SET_CLIP_NORM -> clipCommands.inc();
                case SCALE_LR -> scaleLrCommands.inc();
                case STOP -> stopCommands.inc();
            }
            ctx.output(COMMANDS, c);
        }
        Outcome o = judgeStep(monitors, st, s, now, idleTimeoutMs, layersDropped);
        ctx.output(STATS, s);
        return o;
    }

    @Override
    String runIdOfKey(WorkerKey key) {
        return key.runId();
    }

    @Override
    List<Alert> closeAll(WorkerMonitors monitors, WorkerViewState st, WorkerKey key, long timestampMs, String reason) {
        return closeAll(monitors, st, key.runId(), key.workerId(), timestampMs, reason);
    }

    /** Resolved alerts for what still fires in the worker's state: the step view's, then each layer's. */
    static List<Alert> closeAll(WorkerMonitors monitors, WorkerViewState st, String runId, String workerId,
                                long timestampMs, String reason) {
        List<Alert> out = new ArrayList<>(monitors.steps().closeAll(st.step, runId, workerId, -1, timestampMs, reason));
        for (Map.Entry<Integer, WorkerViewState.LayerEntry> e : st.layers.entrySet()) {
            out.addAll(monitors.layers().closeAll(e.getValue().state, runId, workerId, e.getKey(), timestampMs, reason));
        }
        return out;
    }

    /** One step into the worker's state: the step view, then each layer's windows; counts dropped layer samples. */
    static Outcome judgeStep(WorkerMonitors monitors, WorkerViewState st, StepStats s, long now, long idleTimeoutMs,
                             Counter layersDropped) {
        if (s.endsRun()) {
            // the worker finished: close what still fires in the step view and in every layer, then forget the key
            return Outcome.closing(closeAll(monitors, st, s.runId(), s.workerId(), s.timestampMs(),
                    StepMonitor.endReason(s.step())));
        }
        Outcome step = monitors.steps().onStep(st.step, s);
        List<Alert> alerts = new ArrayList<>(step.alerts());
        for (LayerStats l : s.layers()) {
            WorkerViewState.LayerEntry entry =
                    st.layers.computeIfAbsent(l.index(), i -> new WorkerViewState.LayerEntry());
            Outcome o = monitors.layers().onSample(entry.state,
                    new LayerSample(s.runId(), s.workerId(), s.step(), s.timestampMs(), s.learningRate(), l));
            if (o.isDropped()) layersDropped.inc();
            if (!o.isDropped() || !o.alerts().isEmpty()) entry.seenMs = now;
            alerts.addAll(o.alerts());
        }
        // a layer that vanished from the worker's steps is forgotten once silent for the idle timeout
        if (st.layers.size() > s.layers().size()) st.layers.values().removeIf(e -> e.seenMs + idleTimeoutMs <= now);
        return Outcome.combined(step.isDropped(), alerts);
    }

    private StepStats decode(StatsEnvelope e, ReadOnlyContext ctx) {
        StatsDecoder.Result r = StatsDecoder.decode(e.raw());
        if (r.ok() && (!r.stats().runId().equals(e.runId()) || !r.stats().workerId().equals(e.workerId()))) {
            r = StatsDecoder.misrouted(e.raw(), r.stats());
        }
        if (!r.ok()) {
            deadLetters.inc();
            ctx.output(Outputs.DEAD_LETTERS, r.deadLetter());
            return null;
        }
        decoded.inc();
        return r.stats();
    }
}
