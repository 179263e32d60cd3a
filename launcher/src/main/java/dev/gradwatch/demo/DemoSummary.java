package dev.gradwatch.demo;

import java.util.List;

/**
 * What {@code gradwatch demo --summary FILE} writes: one entry per run, for scripts to rely on.
 */
public record DemoSummary(List<Run> runs) {

    /** One training run of the demo and what the monitor did about it. */
    public record Run(String runId, String scenario, long steps, double finalLoss, List<AlertSeen> alerts,
                      List<ControlApplied> controlApplied, List<String> controlAcknowledged, long controlRejected, long statsPublished, long statsDropped,
                      long skippedSteps) {
    }

    /** A firing alert the alert consumer received for the run. */
    public record AlertSeen(String rule, String severity, String layer, long step) {
    }

    /** A control command the trainer applied, and from which step. */
    public record ControlApplied(String type, double value, long step) {
    }
}
