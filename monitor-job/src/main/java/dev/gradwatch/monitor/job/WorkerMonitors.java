package dev.gradwatch.monitor.job;

import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.LayerMonitor;
import dev.gradwatch.monitor.detect.StepMonitor;

/** The two detectors of a worker's view under one threshold set: whole steps, and each layer's windows. */
record WorkerMonitors(StepMonitor steps, LayerMonitor layers) {

    static WorkerMonitors of(DetectorConfig cfg) {
        return new WorkerMonitors(new StepMonitor(cfg), new LayerMonitor(cfg));
    }
}
