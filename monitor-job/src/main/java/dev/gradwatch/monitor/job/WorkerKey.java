package dev.gradwatch.monitor.job;

import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.ingest.StatsEnvelope;
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

    /** Keys stats envelopes by the run and worker they were routed to. */
    public static final class OfEnvelope implements KeySelector<StatsEnvelope, WorkerKey> {
        @Override
        public WorkerKey getKey(StatsEnvelope e) {
            return new WorkerKey(e.runId(), e.workerId());
        }
    }
}
