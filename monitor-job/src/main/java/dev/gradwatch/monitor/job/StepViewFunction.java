package dev.gradwatch.monitor.job;

import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.Outcome;
import dev.gradwatch.monitor.detect.StepMonitor;
import dev.gradwatch.monitor.detect.StepState;
import dev.gradwatch.monitor.rules.RuleSet;

/**
 * The per-(run, worker) view over whole steps: {@link StepMonitor} judges each step under the rules
 * in force; steps not after the last one seen are counted in {@code stepsOutOfOrder} (a late
 * non-finite step is still announced).
 */
public final class StepViewFunction extends RuleJudgedFunction<WorkerKey, StepStats, StepState, StepMonitor> {

    public StepViewFunction(RuleSet rules, long idleTimeoutMs) {
        super(rules, StepMonitor::new, idleTimeoutMs, "step-state", StepState.class, "stepsOutOfOrder");
    }

    public StepViewFunction(DetectorConfig cfg, long idleTimeoutMs) {
        this(RuleSet.of(cfg), idleTimeoutMs);
    }

    @Override
    StepState newState() {
        return new StepState();
    }

    @Override
    String runId(StepStats s) {
        return s.runId();
    }

    @Override
    Outcome judge(StepMonitor monitor, StepState st, StepStats s) {
        return monitor.onStep(st, s);
    }
}
