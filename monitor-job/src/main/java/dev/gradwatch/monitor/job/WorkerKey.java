package dev.gradwatch.monitor.job;

import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.Finding;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;

/** Key of the per-(run, worker) views. */
public record WorkerKey(String runId, String workerId) {

    public static final TypeInformation<WorkerKey> TYPE = TypeInformation.of(WorkerKey.class);

    /** Keys statistics by their run and worker. */
    public static final class OfStats implements KeySelector<StepStats, WorkerKey> {
        @Override
        public WorkerKey getKey(StepStats s) {
            return new WorkerKey(s.runId(), s.workerId());
        }
    }

    /** Keys findings by the run and worker they are about. */
    public static final class OfFinding implements KeySelector<Finding, WorkerKey> {
        @Override
        public WorkerKey getKey(Finding f) {
            return new WorkerKey(f.runId(), f.workerId());
        }
    }
}
