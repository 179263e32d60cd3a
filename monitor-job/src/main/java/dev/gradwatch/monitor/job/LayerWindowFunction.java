package dev.gradwatch.monitor.job;

import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.LayerMonitor;
import dev.gradwatch.monitor.detect.LayerSample;
import dev.gradwatch.monitor.detect.LayerState;
import dev.gradwatch.monitor.detect.Outcome;
import dev.gradwatch.monitor.rules.RuleSet;

/**
 * Step-counted windows per (run, worker, layer): {@link LayerMonitor} judges each sample under the
 * rules in force; samples not after the last one seen are counted in {@code samplesOutOfOrder}.
 */
public final class LayerWindowFunction extends RuleJudgedFunction<LayerKey, LayerSample, LayerState, LayerMonitor> {

    public LayerWindowFunction(RuleSet rules, long idleTimeoutMs) {
        super(rules, LayerMonitor::new, idleTimeoutMs, "layer-state", LayerState.class, "samplesOutOfOrder");
    }

    public LayerWindowFunction(DetectorConfig cfg, long idleTimeoutMs) {
        this(RuleSet.of(cfg), idleTimeoutMs);
    }

    @Override
    LayerState newState() {
        return new LayerState();
    }

    @Override
    String runId(LayerSample s) {
        return s.runId();
    }

    @Override
    Outcome judge(LayerMonitor monitor, LayerState st, LayerSample s) {
        return monitor.onSample(st, s);
    }
}
