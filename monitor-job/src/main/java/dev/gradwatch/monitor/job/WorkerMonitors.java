package dev.gradwatch.monitor.job;

import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.LayerMonitor;
import dev.gradwatch.monitor.detect.StepMonitor;
import dev.gradwatch.monitor.policy.ClipPolicyConfig;
import dev.gradwatch.monitor.policy.ControlPolicy;
import dev.gradwatch.monitor.policy.EscalationConfig;

/**
 * What a worker's view runs under one threshold set: the detectors of whole steps and of each
 * layer's windows, and the control policy that acts on the trainer.
 */
record WorkerMonitors(StepMonitor steps, LayerMonitor layers, ControlPolicy policy) {

    /** The monitors for each threshold set, with this policy configuration. */
    static LiveRules.SerializableFunction<DetectorConfig, WorkerMonitors> factory(ClipPolicyConfig clip,
                                                                                EscalationConfig escalation) {
        return cfg -> new WorkerMonitors(new StepMonitor(cfg), new LayerMonitor(cfg),
                new ControlPolicy(clip, escalation, cfg));
    }

    /** The monitors with the default policy configuration. */
    static WorkerMonitors of(DetectorConfig cfg) {
        return factory(ClipPolicyConfig.DEFAULTS, EscalationConfig.DEFAULTS).apply(cfg);
    }
}
