package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.LayerSample;
import dev.gradwatch.monitor.detect.Rules;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.gradwatch.monitor.job.KeyedStateCleanupTest.entries;
import static dev.gradwatch.monitor.job.KeyedStateCleanupTest.harness;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rules selected by run labels reach the operators through the records (step statistics, and the
 * layer samples split from them); an end-of-run marker closes a worker's whole-step alerts and
 * forgets its state at once.
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

    private static List<LayerSample> split(StepStats s) {
        List<LayerSample> out = new ArrayList<>();
        new SplitLayers().flatMap(s, new Collector<>() {
            @Override
            public void collect(LayerSample record) {
                out.add(record);
            }

            @Override
            public void close() {
            }
        });
        return out;
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
    void aLabelOverrideAppliesToTheLabelledRunsLayersAndNotToAnUnlabelledRunWithTheSameSeries() throws Exception {
        try (var h = harness(new LayerWindowFunction(DetectorConfig.DEFAULTS, 60_000),
                new LayerKey.OfSample(), LayerKey.TYPE)) {
            h.open();
            h.processBroadcastElement(new StreamRecord<>(RULES));
            List<StepStats> vision = labelled(StatsFixtures.vanishing("run-vision", "w0", 20), VISION);
            List<StepStats> plain = StatsFixtures.vanishing("run-plain", "w0", 20);
            for (int s = 0; s < 20; s++) {
                for (LayerSample l : split(vision.get(s))) {
                    assertEquals(VISION, l.labels(), "the split carries the run's labels");
                    h.processElement(new StreamRecord<>(l));
                }
                for (LayerSample l : split(plain.get(s))) h.processElement(new StreamRecord<>(l));
            }
            List<Alert> out = h.extractOutputValues();
            assertEquals(List.of("run-plain", "run-plain"), out.stream().map(Alert::runId).toList(), out.toString());
            assertTrue(out.stream().allMatch(a -> a.rule().equals(Rules.VANISHING_GRADIENT)));
        }
    }

    @Test
    void aLabelOverrideAppliesToTheLabelledRunsStepsToo() throws Exception {
        try (var h = harness(new StepViewFunction(DetectorConfig.DEFAULTS, 60_000),
                new WorkerKey.OfStats(), WorkerKey.TYPE)) {
            h.open();
            h.processBroadcastElement(new StreamRecord<>(RULES));
            for (StepStats s : labelled(StatsFixtures.vanishing("run-vision", "w0", 20), VISION)) {
                h.processElement(new StreamRecord<>(s));
            }
            for (StepStats s : labelled(StatsFixtures.vanishing("run-nlp", "w0", 20), Map.of("team", "nlp"))) {
                h.processElement(new StreamRecord<>(s));
            }
            List<Alert> out = h.extractOutputValues();
            assertEquals(List.of(Rules.VANISHING_GRADIENT_DEPTH, Rules.VANISHING_GRADIENT_ATTENUATION),
                    out.stream().map(Alert::rule).toList(), out.toString());
            assertTrue(out.stream().allMatch(a -> a.runId().equals("run-nlp")));
        }
    }

    @Test
    void anEndOfRunMarkerResolvesTheWorkersFiringStepAlertsAndForgetsItAtOnce() throws Exception {
        try (var h = harness(new StepViewFunction(DetectorConfig.DEFAULTS, 60_000),
                new WorkerKey.OfStats(), WorkerKey.TYPE)) {
            h.open();
            h.setProcessingTime(1_000);
            for (StepStats s : StatsFixtures.vanishing("run-v", "w0", 20)) h.processElement(new StreamRecord<>(s));
            for (StepStats s : StatsFixtures.healthy("run-h", "w0", 20)) h.processElement(new StreamRecord<>(s));
            List<Alert> firing = List.copyOf(h.extractOutputValues());
            assertEquals(2, firing.size());
            h.getOutput().clear();
            assertEquals(2, h.numProcessingTimeTimers(), "one idle timer per worker");

            h.processElement(new StreamRecord<>(StepStats.endOfRun("run-v", "w0", 20, 1_700_000_002_000L, 0.69, 0.1,
                    Double.POSITIVE_INFINITY, Map.of())));
            List<Alert> closed = h.extractOutputValues();
            assertEquals(List.of(Alert.RESOLVED, Alert.RESOLVED), closed.stream().map(Alert::status).toList());
            assertEquals(firing.stream().map(Alert::fingerprint).sorted().toList(),
                    closed.stream().map(Alert::fingerprint).sorted().toList());
            for (Alert a : closed) {
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
    void anEndOfRunMarkerResolvesTheLayerAlertsOfTheWorkerAndForgetsItsLayers() throws Exception {
        try (var h = harness(new LayerWindowFunction(DetectorConfig.DEFAULTS, 60_000),
                new LayerKey.OfSample(), LayerKey.TYPE)) {
            h.open();
            h.setProcessingTime(1_000);
            List<StepStats> run = StatsFixtures.vanishing("run-v", "w0", 20);
            for (StepStats s : run) for (LayerSample l : split(s)) h.processElement(new StreamRecord<>(l));
            List<Alert> firing = List.copyOf(h.extractOutputValues());
            assertEquals(2, firing.size(), "layers 0 and 1 vanish");
            h.getOutput().clear();

            StepStats last = run.get(19);
            StepStats end = StepStats.endOfRun("run-v", "w0", 20, last.timestampMs() + 100, last.loss(),
                    last.learningRate(), last.clipNorm(), last.layers(), Map.of());
            for (LayerSample l : split(end)) {
                assertTrue(l.endOfRun());
                h.processElement(new StreamRecord<>(l));
            }
            List<Alert> closed = h.extractOutputValues();
            assertEquals(firing.stream().map(Alert::fingerprint).sorted().toList(),
                    closed.stream().map(Alert::fingerprint).sorted().toList());
            assertTrue(closed.stream().allMatch(a -> a.status().equals(Alert.RESOLVED) && a.step() == 19
                    && a.summary().contains("the run ended (worker finished after 20 steps)")), closed.toString());
            assertEquals(0, entries(h), "every layer of the worker is forgotten");
            assertEquals(0, h.numProcessingTimeTimers());
        }
    }

    @Test
    void anEndOfRunMarkerTakesTheWorkerOutOfTheComparisonAndResolvesItsDivergence() throws Exception {
        try (var h = harness(new WorkerDivergenceFunction(DetectorConfig.DEFAULTS, 60_000),
                new RunLayerKey.OfSample(), RunLayerKey.TYPE)) {
            h.open();
            List<List<StepStats>> fleet = StatsFixtures.fleet("run-f", 4, 12, 1, 25);
            for (int s = 0; s < 12; s++) {
                for (List<StepStats> worker : fleet) {
                    for (LayerSample l : split(worker.get(s))) h.processElement(new StreamRecord<>(l));
                }
            }
            assertEquals(3, h.extractOutputValues().size(), "w1 diverges in each of the 3 layers");
            h.getOutput().clear();
            StepStats last = fleet.get(1).get(11);
            for (LayerSample l : split(StepStats.endOfRun("run-f", "w1", 12, last.timestampMs(), last.loss(),
                    last.learningRate(), last.clipNorm(), last.layers(), Map.of()))) {
                h.processElement(new StreamRecord<>(l));
            }
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
