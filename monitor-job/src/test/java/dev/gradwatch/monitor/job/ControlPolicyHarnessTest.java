package dev.gradwatch.monitor.job;

import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.ingest.StatsEnvelope;
import dev.gradwatch.monitor.policy.ClipPolicyConfig;
import dev.gradwatch.monitor.policy.EscalationConfig;
import dev.gradwatch.monitor.rules.RuleSet;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker view emits every command its control policy decides for a step, in order, and its state
 * keeps the stop.
 */
class ControlPolicyHarnessTest {

    @Test
    void aWorkerStuckOnNonFiniteGradientsIsClippedThenStoppedAndThenLeftAlone() throws Exception {
        try (var h = KeyedStateCleanupTest.harness(new WorkerViewFunction(RuleSet.of(DetectorConfig.DEFAULTS),
                        ClipPolicyConfig.DEFAULTS, new EscalationConfig(0.5, 3, 5, 200, 50, 10), 60_000),
                new WorkerKey.OfEnvelope(), WorkerKey.TYPE)) {
            h.open();
            h.setProcessingTime(0);
            for (long s = 0; s < 40; s++) {
                double norm = s < 20 ? 1.0 : Double.NaN;
                StepStats x = StatsFixtures.step("run-nan", "w0", s, 1.0, "dense/relu", 0.5, norm);
                h.processElement(new StreamRecord<>(StatsEnvelope.decoded(x)));
            }
            List<ControlCommand> out = h.getSideOutput(WorkerViewFunction.COMMANDS).stream()
                    .map(StreamRecord::getValue).toList();
            assertEquals(List.of("SET_CLIP_NORM:run-nan:w0@20", "STOP:run-nan:w0@29"),
                    out.stream().map(ControlCommand::commandId).toList());
            assertTrue(out.get(1).seq() > out.get(0).seq());
            assertEquals(1, h.numProcessingTimeTimers(), "the idle clean-up");
        }
    }
}
