package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.Rules;
import dev.gradwatch.monitor.ingest.StatsEnvelope;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.gradwatch.monitor.job.KeyedStateCleanupTest.entries;
import static dev.gradwatch.monitor.job.KeyedStateCleanupTest.harness;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the idle timer clears a key whose alerts are firing, each of them is resolved with the
 * reason, instead of staying firing downstream for a subject nobody watches any more.
 */
class IdleCleanupResolvesAlertsTest {

    private static final long IDLE_MS = 60_000;
    private static final long AFTER_IDLE = 1_000 + IDLE_MS + IDLE_MS / 10;

    private static void assertClosedOnIdle(List<Alert> firing, List<Alert> resolved) {
        assertEquals(firing.stream().map(Alert::fingerprint).collect(Collectors.toSet()),
                resolved.stream().map(Alert::fingerprint).collect(Collectors.toSet()),
                "every firing alert is resolved, under its own fingerprint");
        assertEquals(firing.size(), resolved.size(), resolved.toString());
        for (Alert r : resolved) {
            assertEquals(Alert.RESOLVED, r.status());
            assertTrue(r.summary().contains("no data for 60 s, state cleared"), r.summary());
            assertEquals(1.0, r.evidence().get("stateCleared"));
            assertTrue(r.alertId().endsWith(":resolved@" + r.step()), r.alertId());
        }
    }

    @Test
    void theWorkerViewResolvesTheStepAndLayerAlertsOfAWorkerThatFellSilentAndSaysNothingForAQuietOne()
            throws Exception {
        try (var h = harness(new WorkerViewFunction(DetectorConfig.DEFAULTS, IDLE_MS),
                new WorkerKey.OfEnvelope(), WorkerKey.TYPE)) {
            h.open();
            h.setProcessingTime(1_000);
            for (StepStats s : StatsFixtures.vanishing("run-v", "w0", 12)) {
                h.processElement(new StreamRecord<>(StatsEnvelope.decoded(s)));
            }
            for (StepStats s : StatsFixtures.healthy("run-h", "w0", 12)) {
                h.processElement(new StreamRecord<>(StatsEnvelope.decoded(s)));
            }
            List<Alert> firing = List.copyOf(h.extractOutputValues());
            assertEquals(Set.of(Rules.VANISHING_GRADIENT, Rules.VANISHING_GRADIENT_DEPTH,
                    Rules.VANISHING_GRADIENT_ATTENUATION), firing.stream().map(Alert::rule).collect(Collectors.toSet()));
            assertEquals(Set.of(-1, 0, 1), firing.stream().map(Alert::layerIndex).collect(Collectors.toSet()),
                    "whole-step alerts and layers 0 and 1");
            h.getOutput().clear();

            h.setProcessingTime(AFTER_IDLE);
            List<Alert> resolved = h.extractOutputValues();
            assertClosedOnIdle(firing, resolved);
            assertTrue(resolved.stream().allMatch(a -> a.runId().equals("run-v")), "the healthy worker had nothing firing");
            assertEquals(0, entries(h));
            assertEquals(0, h.numProcessingTimeTimers());
        }
    }

    @Test
    void theComparisonAcrossWorkersResolvesTheDivergingWorkersAlertsWhenTheRunFallsSilent() throws Exception {
        try (var h = harness(new RunDivergenceFunction(DetectorConfig.DEFAULTS, IDLE_MS), StepNorms::runId,
                Types.STRING)) {
            h.open();
            h.setProcessingTime(1_000);
            List<List<StepStats>> fleet = StatsFixtures.fleet("run-f", 4, 12, 1, 25);
            for (int s = 0; s < 12; s++) {
                for (List<StepStats> worker : fleet) h.processElement(new StreamRecord<>(StepNorms.of(worker.get(s))));
            }
            List<Alert> firing = List.copyOf(h.extractOutputValues());
            assertEquals(3, firing.size(), "w1 diverges in each of the 3 layers");
            h.getOutput().clear();

            h.setProcessingTime(AFTER_IDLE);
            List<Alert> resolved = h.extractOutputValues();
            assertClosedOnIdle(firing, resolved);
            assertTrue(resolved.stream().allMatch(a -> "w1".equals(a.workerId())));
            assertEquals(0, entries(h));
            assertEquals(0, h.numProcessingTimeTimers());
        }
    }
}
