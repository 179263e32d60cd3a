package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.DivergenceMonitor;
import dev.gradwatch.monitor.detect.Outcome;
import dev.gradwatch.monitor.rules.RuleSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The view across workers, keyed by run: every worker of a run meets here with one {@link StepNorms}
 * per step, and {@link DivergenceMonitor} takes each layer's norm into that layer's comparison.
 * Norms too late to compare are counted per layer in {@code samplesLateForWorkerComparison} (and
 * whole steps of them in {@code stepsLateForWorkerComparison}); the state they update (a new worker)
 * is kept.
 */
public final class RunDivergenceFunction
        extends RuleJudgedFunction<String, StepNorms, RunDivergenceState, DivergenceMonitor> {

    private transient Counter layersLate;

    public RunDivergenceFunction(RuleSet rules, long idleTimeoutMs) {
        super(rules, DivergenceMonitor::new, idleTimeoutMs, "run-divergence-state", RunDivergenceState.class,
                "stepsLateForWorkerComparison");
    }

    public RunDivergenceFunction(DetectorConfig cfg, long idleTimeoutMs) {
        this(RuleSet.of(cfg), idleTimeoutMs);
    }

    @Override
    public void open(OpenContext ctx) {
        super.open(ctx);
        layersLate = getRuntimeContext().getMetricGroup().counter("samplesLateForWorkerComparison");
    }

    @Override
    RunDivergenceState newState() {
        return new RunDivergenceState();
    }

    @Override
    String runId(StepNorms s) {
        return s.runId();
    }

    @Override
    Map<String, String> labels(StepNorms s) {
        return s.labels();
    }

    @Override
    String runIdOfKey(String runId) {
        return runId;
    }

    @Override
    List<Alert> closeAll(DivergenceMonitor monitor, RunDivergenceState st, String runId, long timestampMs,
                         String reason) {
        List<Alert> out = new ArrayList<>();
        for (Map.Entry<Integer, RunDivergenceState.LayerEntry> e : st.layers.entrySet()) {
            out.addAll(monitor.closeAll(e.getValue().state, runId, null, e.getKey(), timestampMs, reason));
        }
        return out;
    }

    @Override
    boolean keepsStateOfDroppedRecords() {
        return true;
    }

    @Override
    Outcome judge(DivergenceMonitor monitor, RunDivergenceState st, StepNorms s, ReadOnlyContext ctx) {
        return judgeStep(monitor, st, s, ctx.timerService().currentProcessingTime(), idleTimeoutMs, layersLate);
    }

    /** One worker's step of norms into the run's state, layer by layer; counts norms too late to compare. */
    static Outcome judgeStep(DivergenceMonitor monitor, RunDivergenceState st, StepNorms s, long now,
                             long idleTimeoutMs, Counter layersLate) {
        List<Alert> alerts = new ArrayList<>();
        if (s.endOfRun()) return endOfRun(monitor, st, s, alerts);
        int late = 0;
        for (int i = 0; i < s.layers(); i++) {
            RunDivergenceState.LayerEntry entry =
                    st.layers.computeIfAbsent(s.layerIndex()[i], k -> new RunDivergenceState.LayerEntry());
            Outcome o = monitor.onNorm(entry.state, s.runId(), s.workerId(), s.step(), s.timestampMs(),
                    s.layerIndex()[i], s.layerName()[i], s.layerKind()[i], s.gradL2()[i]);
            if (o.isDropped()) late++;
            entry.seenMs = now;
            alerts.addAll(o.alerts());
        }
        layersLate.inc(late);
        // a layer that vanished from the worker's steps is forgotten once silent for the idle timeout
        if (st.layers.size() > s.layers()) st.layers.values().removeIf(e -> e.seenMs + idleTimeoutMs <= now);
        return Outcome.combined(late > 0 && late == s.layers(), alerts);
    }

    /**
     * A worker finished: it leaves every layer's comparison (its firing alerts there resolved); a layer
     * left without workers is forgotten, and the run's key once no layer is left.
     */
    private static Outcome endOfRun(DivergenceMonitor monitor, RunDivergenceState st, StepNorms s, List<Alert> alerts) {
        Iterator<RunDivergenceState.LayerEntry> it = st.layers.values().iterator();
        while (it.hasNext()) {
            Outcome o = monitor.onEndOfRun(it.next().state, s.runId(), s.workerId(), s.step(), s.timestampMs());
            alerts.addAll(o.alerts());
            if (o.forgetsState()) it.remove();
        }
        return st.layers.isEmpty() ? Outcome.closing(alerts) : Outcome.combined(false, alerts);
    }
}
