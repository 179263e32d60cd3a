package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.monitor.ingest.RawRecord;
import dev.gradwatch.monitor.ingest.StatsEnvelope;
import org.apache.flink.api.common.typeinfo.Types;
import dev.gradwatch.monitor.detect.Rules;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.gradwatch.monitor.job.KeyedStateCleanupTest.entries;
import static dev.gradwatch.monitor.job.KeyedStateCleanupTest.harness;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rules selected by run labels reach the operators through the records (read from the payload once
 * the worker view has decoded it); an end-of-run marker closes a worker's alerts and forgets its
 * state at once.
 */
class LabelsAndEndOfRunHarnessTest {

    private static final String RULES = """
            overrides:
              - match: {labels: {team: vision}}
                set: {vanishing.floor: 1.0e-12, ratio.floor: 1.0e-12, attenuation.floor: 0.01}
            """;
    private static final Map<String, String> VISION = Map.of("team", "vision");

    private static List<StepStats> labelled(List<StepStats> steps, Map<String, String> labels) {
        List<StepStats> out = new ArrayList<>();
        for (StepStats s : steps) {
            out.add(new StepStats(s.runId(), s.workerId(), s.step(), s.timestampMs(), s.loss(), s.learningRate(),
                    s.clipNorm(), s.layers(), labels));
        }
        return out;
    }

    /** As the trainers publish it: raw, keyed {@code run/worker}, decoded by the worker view itself. */
    private static StreamRecord<StatsEnvelope> raw(StepStats s) {
        byte[] key = (s.runId() + "/" + s.workerId()).getBytes(StandardCharsets.UTF_8);
        return new StreamRecord<>(StatsEnvelope.ofKey(new RawRecord("stats", 0, s.step(), 0, key, EventCodec.encode(s))));
    }

    @Test
    void theStatsDecoderKeepsLabelsAndTheEndOfRunMarkerAndDeadLettersABadLabelNamingIt() {
        StepStats labelled = labelled(StatsFixtures.healthy("run-l", "w0", 1), VISION).get(0);
        StepStats end = StepStats.endOfRun("run-l", "w0", 1, 0, 0.5, 0.1, 1.0, VISION);
        for (StepStats s : List.of(labelled, end)) {
            var r = dev.gradwatch.monitor.ingest.StatsDecoder.decode(new dev.gradwatch.monitor.ingest.RawRecord(
                    "stats", 0, 0, 0, null, dev.gradwatch.events.EventCodec.encode(s)));
            assertTrue(r.ok(), String.valueOf(r.deadLetter()));
            assertEquals(s, r.stats());
            assertEquals(VISION, r.stats().labels());
            assertEquals(s.endsRun(), r.stats().endsRun());
        }
        String bad = dev.gradwatch.events.EventCodec.encodeToString(labelled).replace("\"team\"", "\"t/eam\"");
        var r = dev.gradwatch.monitor.ingest.StatsDecoder.decode(new dev.gradwatch.monitor.ingest.RawRecord(
                "stats", 0, 7, 0, null, bad.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(!r.ok());
        assertTrue(r.deadLetter().reason().contains("labels: key 't/eam'"), r.deadLetter().reason());
    }

    @Test
    void aLabelOverrideAppliesToTheLabelledRunsStepsAndLayersAndNotToARunWithOtherLabelsAndTheSameSeries()
            throws Exception {
        try (var h = harness(new WorkerViewFunction(DetectorConfig.DEFAULTS, 60_000),
                new WorkerKey.OfEnvelope(), WorkerKey.TYPE)) {
            h.open();
            h.processBroadcastElement(new StreamRecord<>(RULES));
            // raw records: the labels are only known once the operator has decoded them
            for (StepStats s : labelled(StatsFixtures.vanishing("run-vision", "w0", 20), VISION)) h.processElement(raw(s));
            for (StepStats s : labelled(StatsFixtures.vanishing("run-nlp", "w0", 20), Map.of("team", "nlp"))) {
                h.processElement(raw(s));
            }
            List<Alert> out = h.extractOutputValues();
            assertTrue(out.stream().allMatch(a -> a.runId().equals("run-nlp")), out.toString());
            assertEquals(Set.of(Rules.VANISHING_GRADIENT, Rules.VANISHING_GRADIENT_DEPTH,
                    Rules.VANISHING_GRADIENT_ATTENUATION), out.stream().map(Alert::rule).collect(Collectors.toSet()));
        }
    }

    @Test
    void anEndOfRunMarkerResolvesTheWorkersFiringStepAndLayerAlertsAndForgetsItAtOnce() throws Exception {
        try (var h = harness(new WorkerViewFunction(DetectorConfig.DEFAULTS, 60_000),
                new WorkerKey.OfEnvelope(), WorkerKey.TYPE)) {
            h.open();
            h.setProcessingTime(1_000);
            List<StepStats> run = StatsFixtures.vanishing("run-v", "w0", 20);
            for (StepStats s : run) h.processElement(raw(s));
            for (StepStats s : StatsFixtures.healthy("run-h", "w0", 20)) h.processElement(raw(s));
            List<Alert> firing = List.copyOf(h.extractOutputValues());
            assertEquals(Set.of(-1, 0, 1), firing.stream().map(Alert::layerIndex).collect(Collectors.toSet()),
                    "whole-step alerts and layers 0 and 1: " + firing);
            h.getOutput().clear();
            assertEquals(2, h.numProcessingTimeTimers(), "one idle timer per worker");

            StepStats last = run.get(19);
            h.processElement(raw(StepStats.endOfRun("run-v", "w0", 20, last.timestampMs() + 100, last.loss(),
                    last.learningRate(), last.clipNorm(), last.layers(), Map.of())));
            List<Alert> closed = h.extractOutputValues();
            assertEquals(firing.stream().map(Alert::fingerprint).sorted().toList(),
                    closed.stream().map(Alert::fingerprint).sorted().toList());
            for (Alert a : closed) {
                assertEquals(Alert.RESOLVED, a.status());
                assertTrue(a.summary().contains("the run ended (worker finished after 20 steps), state cleared"),
                        a.summary());
                assertEquals(19, a.step(), "the last step judged");
            }
            // run-v is forgotten, run-h (value state and idle timer state) is not
            assertEquals(2, entries(h));
            assertEquals(1, h.numProcessingTimeTimers());
        }
    }

    @Test
    void anEndOfRunMarkerTakesTheWorkerOutOfTheComparisonAndResolvesItsDivergence() throws Exception {
        try (var h = harness(new RunDivergenceFunction(DetectorConfig.DEFAULTS, 60_000), StepNorms::runId,
                Types.STRING)) {
            h.open();
            List<List<StepStats>> fleet = StatsFixtures.fleet("run-f", 4, 12, 1, 25);
            for (int s = 0; s < 12; s++) {
                for (List<StepStats> worker : fleet) h.processElement(new StreamRecord<>(StepNorms.of(worker.get(s))));
            }
            assertEquals(3, h.extractOutputValues().size(), "w1 diverges in each of the 3 layers");
            h.getOutput().clear();
            StepStats last = fleet.get(1).get(11);
            StepNorms end = StepNorms.of(StepStats.endOfRun("run-f", "w1", 12, last.timestampMs(), last.loss(),
                    last.learningRate(), last.clipNorm(), last.layers(), Map.of()));
            assertTrue(end.endOfRun());
            h.processElement(new StreamRecord<>(end));
            List<Alert> closed = h.extractOutputValues();
            assertEquals(3, closed.size(), closed.toString());
            assertTrue(closed.stream().allMatch(a -> a.workerId().equals("w1") && a.status().equals(Alert.RESOLVED)));
            assertTrue(entries(h) > 0, "the other workers are still compared");
        }
    }

    @Test
    void theStallWatchForgetsAFinishedWorkerAndStillAnnouncesASilentOne() throws Exception {
        long stallMs = 60_000;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new StallWatchFunction(stallMs, 30 * 60_000)),
                new WorkerKey.OfStats(), WorkerKey.TYPE)) {
            h.open();
            h.setProcessingTime(0);
            for (StepStats s : StatsFixtures.healthy("run-done", "w0", 10)) h.processElement(new StreamRecord<>(s));
            for (StepStats s : StatsFixtures.healthy("run-silent", "w0", 10)) h.processElement(new StreamRecord<>(s));
            h.processElement(new StreamRecord<>(StepStats.endOfRun("run-done", "w0", 10, 0, 0.1, 0.05,
                    Double.POSITIVE_INFINITY, Map.of())));
            assertEquals(1, h.numProcessingTimeTimers(), "the finished worker's timer is gone");
            h.setProcessingTime(stallMs * 3);
            List<Alert> out = h.extractOutputValues();
            assertEquals(List.of("run-silent"), out.stream().map(Alert::runId).toList(), out.toString());
            assertEquals(Rules.STALLED_WORKER, out.get(0).rule());
        }
    }
}
