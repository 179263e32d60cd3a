package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.ingest.StatsEnvelope;
import dev.gradwatch.monitor.detect.Rules;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.gradwatch.monitor.job.KeyedStateCleanupTest.harness;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rules file arriving on the broadcast input changes thresholds at once and keeps every key's state. */
class RulesChangeHarnessTest {

    /** The step with its first layer only, so that only that layer's windows speak. */
    private static StatsEnvelope sample(StepStats s, int layer) {
        return StatsEnvelope.decoded(new StepStats(s.runId(), s.workerId(), s.step(), s.timestampMs(), s.loss(),
                s.learningRate(), s.clipNorm(), List.of(s.layers().get(layer))));
    }

    @Test
    void aLowerCeilingForOneRunFiresForItWhileAFiringAlertOfTheSameKeyStaysAnnouncedOnce() throws Exception {
        try (var h = harness(new WorkerViewFunction(DetectorConfig.DEFAULTS, 60_000),
                new WorkerKey.OfEnvelope(), WorkerKey.TYPE)) {
            h.open();
            // layer 0 of the vanishing fixture: 1e-9, under the floor: fires at step 9
            List<StepStats> run = StatsFixtures.vanishing("run-a", "w0", 40);
            for (int s = 0; s < 20; s++) h.processElement(new StreamRecord<>(sample(run.get(s), 0)));
            assertEquals(List.of(Rules.VANISHING_GRADIENT), h.extractOutputValues().stream().map(Alert::rule).toList());

            h.processBroadcastElement(new StreamRecord<>("""
                    overrides:
                      - match: {run-id: "run-a"}
                        set: {exploding.ceiling: 1.0e-9, vanishing.floor: 1.0e-10, growth.min-norm: 0}
                    """));
            h.processElement(new StreamRecord<>(sample(run.get(20), 0)));
            List<Alert> out = h.extractOutputValues();
            assertEquals(2, out.size(), out.toString());
            Alert exploding = out.get(1);
            assertEquals(Rules.EXPLODING_GRADIENT, exploding.rule());
            assertEquals(20, exploding.step());
            assertEquals(1e-9, exploding.evidence().get("ceiling"));

            // the vanishing latch survived the change: it resolves under the new floor, not fires again
            for (int s = 21; s < 40; s++) h.processElement(new StreamRecord<>(sample(run.get(s), 0)));
            List<String> vanishing = h.extractOutputValues().stream()
                    .filter(a -> a.rule().equals(Rules.VANISHING_GRADIENT)).map(Alert::status).toList();
            assertEquals(List.of(Alert.FIRING, Alert.RESOLVED), vanishing);
        }
    }

    @Test
    void theLatestRulesFileReplacesTheEarlierOneWhole() throws Exception {
        try (var h = harness(new WorkerViewFunction(DetectorConfig.DEFAULTS, 60_000),
                new WorkerKey.OfEnvelope(), WorkerKey.TYPE)) {
            h.open();
            h.processBroadcastElement(new StreamRecord<>("defaults: {attenuation.floor: 0.9}"));
            h.processBroadcastElement(new StreamRecord<>("defaults: {ratio.floor: 0.9}"));
            for (StepStats s : StatsFixtures.healthy("run-h", "w0", 10)) h.processElement(new StreamRecord<>(StatsEnvelope.decoded(s)));
            // healthy norms 0.5 / 0.9 at the ends: the ratio rule of the second file fires, the first file is gone
            assertEquals(List.of(Rules.VANISHING_GRADIENT_DEPTH),
                    h.extractOutputValues().stream().map(Alert::rule).toList());
            assertTrue(h.getBroadcastState(LiveRulesState.DESCRIPTOR).get("current").contains("ratio.floor"));
        }
    }
}
