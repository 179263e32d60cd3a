package dev.gradwatch.monitor.job;

import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.DivergenceMonitor;
import dev.gradwatch.monitor.detect.DivergenceState;
import dev.gradwatch.monitor.detect.LayerSample;
import dev.gradwatch.monitor.detect.Outcome;
import dev.gradwatch.monitor.rules.RuleSet;

/**
 * The per-(run, layer, step) view across workers: {@link DivergenceMonitor} takes each worker's
 * sample under the rules in force; samples too late to compare are counted in
 * {@code samplesLateForWorkerComparison}, and the state they update (a new worker) is kept.
 */
public final class WorkerDivergenceFunction
        extends RuleJudgedFunction<RunLayerKey, LayerSample, DivergenceState, DivergenceMonitor> {

    public WorkerDivergenceFunction(RuleSet rules, long idleTimeoutMs) {
        super(rules, DivergenceMonitor::new, idleTimeoutMs, "divergence-state", DivergenceState.class,
                "samplesLateForWorkerComparison");
    }

    public WorkerDivergenceFunction(DetectorConfig cfg, long idleTimeoutMs) {
        this(RuleSet.of(cfg), idleTimeoutMs);
    }

    @Override
    DivergenceState newState() {
        return new DivergenceState();
    }

    @Override
    String runId(LayerSample s) {
        return s.runId();
    }

    @Override
    Outcome judge(DivergenceMonitor monitor, DivergenceState st, LayerSample s) {
        return monitor.onSample(st, s);
    }

    @Override
    boolean keepsStateOfDroppedRecords() {
        return true;
    }
}
