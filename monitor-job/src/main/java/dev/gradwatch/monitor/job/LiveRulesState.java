package dev.gradwatch.monitor.job;

import org.apache.flink.api.common.state.MapStateDescriptor;

/** The broadcast state that carries the latest rules file to the detectors, for wiring the job. */
public final class LiveRulesState {

    public static final MapStateDescriptor<String, String> DESCRIPTOR = LiveRules.STATE;

    private LiveRulesState() {
    }
}
