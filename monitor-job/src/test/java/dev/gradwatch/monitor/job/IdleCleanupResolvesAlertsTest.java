package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.LayerSample;
import dev.gradwatch.monitor.detect.Rules;
import dev.gradwatch.monitor.testing.StatsFixtures;
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

    private static LayerSample sample(StepStats s, dev.gradwatch.events.LayerStats l) {
        return new LayerSample(s.runId(), s.workerId(), s.step(), s.timestampMs(), s.learningRate(), l);
    }

    private static void assertClosedOnIdle(List<Alert> firing, List<Alert> resolved) {
        assertEquals(firing.stream().map(Alert::fingerprint).collect(Collectors.toSet()),
                resolved.stream().map(Alert::fingerprint).collect(Collectors.toSet()),
                "every firing alert is resolved, under its own fingerprint");
        for (Alert r : resolved) {
            assertEquals(Alert.RESOLVED, r.status());
            assertTrue(r.summary().contains("no data for 60 s, state cleared"), r.summary());
            assertEquals(1.0, r.evidence().get("stateCleared"));
            assertTrue(r.alertId().endsWith(":resolved@" + r.step()), r.alertId());
        }
    }

    @Test
    void layerWindowsResolveTheFiringAlertsOfALayerThatFellSilent() throws Exception {
        try (var h = harness(new LayerWindowFunction(DetectorConfig.DEFAULTS, IDLE_MS),
                new LayerKey.OfSample(), LayerKey.TYPE)) {
            h.open();
            h.setProcessingTime(1_000);
            for (StepStats s : StatsFixtures.vanishing("run-1", "w0", 12)) {
                for (var l : s.layers()) h.processElement(new StreamRecord<>(sample(s, l)));
            }
            List<Alert> firing = List.copyOf(h.extractOutputValues());
            assertEquals(2, firing.size(), "layers 0 and 1 vanish");
            h.getOutput().clear();

            h.setProcessingTime(AFTER_IDLE);
            List<Alert> resolved = h.extractOutputValues();
            assertEquals(2, resolved.size(), resolved.toString());
            assertClosedOnIdle(firing, resolved);
            assertEquals(Set.of(0, 1), resolved.stream().map(Alert::layerIndex).collect(Collectors.toSet()));
            assertEquals(11, resolved.get(0).step(), "the last step seen");
            assertEquals(0, entries(h));
            assertEquals(0, h.numProcessingTimeTimers());
        }
    }

    @Test
    void stepViewResolvesTheWholeStepAlertsOfAWorkerThatFellSilentAndSaysNothingForAQuietOne() throws Exception {
        try (var h = harness(new StepViewFunction(DetectorConfig.DEFAULTS, IDLE_MS),
                new WorkerKey.OfStats(), WorkerKey.TYPE)) {
            h.open();
            h.setProcessingTime(1_000);
            for (StepStats s : StatsFixtures.vanishing("run-v", "w0", 12)) h.processElement(new StreamRecord<>(s));
            for (StepStats s : StatsFixtures.healthy("run-h", "w0", 12)) h.processElement(new StreamRecord<>(s));
            List<Alert> firing = List.copyOf(h.extractOutputValues());
            assertEquals(List.of(Rules.VANISHING_GRADIENT_DEPTH, Rules.VANISHING_GRADIENT_ATTENUATION),
                    firing.stream().map(Alert::rule).toList());
            h.getOutput().clear();

            h.setProcessingTime(AFTER_IDLE);
            List<Alert> resolved = h.extractOutputValues();
            assertEquals(2, resolved.size(), "the healthy worker had nothing firing: " + resolved);
            assertClosedOnIdle(firing, resolved);
            assertTrue(resolved.stream().allMatch(a -> a.runId().equals("run-v") && a.layerIndex() == -1));
            assertEquals(0, entries(h));
            assertEquals(0, h.numProcessingTimeTimers());
        }
    }

    @Test
    void workerDivergenceResolvesTheDivergingWorkersAlertsWhenTheRunLayerFallsSilent() throws Exception {
        try (var h = harness(new WorkerDivergenceFunction(DetectorConfig.DEFAULTS, IDLE_MS),
                new RunLayerKey.OfSample(), RunLayerKey.TYPE)) {
            h.open();
            h.setProcessingTime(1_000);
            List<List<StepStats>> fleet = StatsFixtures.fleet("run-f", 4, 12, 1, 25);
            for (int s = 0; s < 12; s++) {
                for (List<StepStats> worker : fleet) {
                    StepStats x = worker.get(s);
                    for (var l : x.layers()) h.processElement(new StreamRecord<>(sample(x, l)));
                }
            }
            List<Alert> firing = List.copyOf(h.extractOutputValues());
            assertEquals(3, firing.size());
            h.getOutput().clear();

            h.setProcessingTime(AFTER_IDLE);
            List<Alert> resolved = h.extractOutputValues();
            assertEquals(3, resolved.size(), resolved.toString());
            assertClosedOnIdle(firing, resolved);
            assertTrue(resolved.stream().allMatch(a -> "w1".equals(a.workerId())));
            assertEquals(0, entries(h));
        }
    }
}
