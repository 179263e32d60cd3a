package dev.gradwatch.monitor;

import dev.gradwatch.embedded.EmbeddedKafkaBroker;
import dev.gradwatch.events.Alert;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.Rules;
import dev.gradwatch.monitor.testing.AlertOracle;
import dev.gradwatch.monitor.testing.EndToEnd;
import dev.gradwatch.monitor.testing.StatsFixtures;
import dev.gradwatch.monitor.testing.TopicReader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole job on a real broker and a MiniCluster at parallelism 2, with a 2 s stall timeout:
 * a worker that finished (end-of-run marker) is not announced as stalled and its firing whole-step
 * alerts are resolved, while a worker that falls silent without a marker is; and a rules-file
 * override selected by a run label applies to the labelled run only.
 */
class EndOfRunAndLabelsKafkaTest {

    private static final long STALL_MS = 2_000;

    private static List<StepStats> withEnd(List<StepStats> steps, Map<String, String> labels) {
        List<StepStats> out = new ArrayList<>();
        for (StepStats s : steps) {
            out.add(new StepStats(s.runId(), s.workerId(), s.step(), s.timestampMs(), s.loss(), s.learningRate(),
                    s.clipNorm(), s.layers(), labels));
        }
        StepStats last = steps.get(steps.size() - 1);
        out.add(StepStats.endOfRun(last.runId(), last.workerId(), steps.size(), last.timestampMs() + 100, last.loss(),
                last.learningRate(), last.clipNorm(), last.layers(), labels));
        return out;
    }

    @Test
    void aFinishedRunIsNotStalledAndClosesItsAlertsASilentOneIsStalledAndALabelOverrideAppliesToItsRun(
            @TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, """
                overrides:
                  - match: {labels: {team: vision}}
                    set: {vanishing.floor: 1.0e-12, ratio.floor: 1.0e-12, attenuation.floor: 0.01}
                """);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            MonitorConfig cfg = EndToEnd.topics(broker, "end", Map.of(
                    "rules", rules.toString(),
                    "stall.timeout.ms", Long.toString(STALL_MS),
                    // long enough that idle clean-up plays no part here
                    "state.idle-timeout.ms", "900000",
                    "command.ack-timeout.ms", "600000"));
            List<StepStats> ended = withEnd(StatsFixtures.vanishing("run-ended", "w0", 30), Map.of());
            List<StepStats> vision = withEnd(StatsFixtures.vanishing("run-vision", "w0", 30), Map.of("team", "vision"));
            List<StepStats> silent = StatsFixtures.healthy("run-silent", "w0", 30);

            AlertOracle oracle = new AlertOracle(cfg.rules());
            oracle.feedAll(ended).feedAll(vision).feedAll(silent);
            Set<String> expected = new TreeSet<>(oracle.alertIds());
            expected.add("stalled_worker:run-silent:w0:*:firing@29");
            // what the series are built to raise, checked before the job is asked
            assertTrue(expected.containsAll(List.of(
                    "vanishing_gradient_depth:run-ended:w0:*:firing@9",
                    "vanishing_gradient_depth:run-ended:w0:*:resolved@29",
                    "vanishing_gradient_attenuation:run-ended:w0:*:resolved@29",
                    "vanishing_gradient:run-ended:w0:0:firing@9",
                    "vanishing_gradient:run-ended:w0:0:resolved@29",
                    "vanishing_gradient:run-ended:w0:1:resolved@29")), expected.toString());
            assertTrue(expected.stream().filter(id -> id.contains("run-ended")).filter(id -> id.contains(":firing@"))
                    .allMatch(id -> expected.contains(id.replaceFirst(":firing@\\d+$", ":resolved@29"))),
                    "every alert of the finished run is resolved at its end: " + expected);
            assertTrue(expected.stream().noneMatch(id -> id.contains("run-vision")), "the override silences it");

            InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();
            Configuration conf = reporter.addToConfiguration(EndToEnd.miniCluster());
            JobClient job = EndToEnd.start(cfg, conf);
            try (KafkaProducer<String, byte[]> producer = EndToEnd.producer(broker);
                 TopicReader alertsTopic = new TopicReader(broker.bootstrapServers(), cfg.alertsTopic())) {
                for (int i = 0; i < ended.size(); i++) {
                    EndToEnd.publish(producer, cfg.statsTopic(), ended.get(i));
                    EndToEnd.publish(producer, cfg.statsTopic(), vision.get(i));
                    if (i < silent.size()) EndToEnd.publish(producer, cfg.statsTopic(), silent.get(i));
                }
                producer.flush();
                long sent = System.nanoTime();

                alertsTopic.readUntil(seen -> ids(EndToEnd.alerts(seen)).containsAll(expected), Duration.ofSeconds(90));
                double allSeenS = (System.nanoTime() - sent) / 1e9;
                // the silent worker was announced; give the finished ones as long again to be (wrongly) announced
                List<Alert> alerts = EndToEnd.alerts(alertsTopic.readFor(Duration.ofMillis(2 * STALL_MS)));
                System.out.printf("end-of-run: every expected alert (stalled_worker for run-silent last) %.1f s after"
                        + " sending, stall timeout %.1f s; alerts %s%n", allSeenS, STALL_MS / 1e3, new TreeSet<>(ids(alerts)));

                assertEquals(expected, new TreeSet<>(ids(alerts)), "alerts: " + alerts);
                List<Alert> stalled = alerts.stream().filter(a -> a.rule().equals(Rules.STALLED_WORKER)).toList();
                assertEquals(List.of("run-silent"), stalled.stream().map(Alert::runId).toList());
                for (Alert a : alerts) {
                    if (a.runId().equals("run-ended") && a.status().equals(Alert.RESOLVED)) {
                        assertTrue(a.summary().contains("the run ended (worker finished after 30 steps), state cleared"),
                                a.summary());
                    }
                }
                assertEquals(2, EndToEnd.counter(reporter, job.getJobID(), "workersFinished"));
                assertEquals(alerts.stream().filter(a -> a.runId().equals("run-ended") && a.status().equals(Alert.RESOLVED))
                        .count(), EndToEnd.counter(reporter, job.getJobID(), "alertsResolvedOnStateCleared"));
                assertEquals(0, EndToEnd.counter(reporter, job.getJobID(), "deadLetters"));
            } finally {
                job.cancel().get();
            }
        }
    }

    private static Set<String> ids(List<Alert> alerts) {
        return alerts.stream().map(Alert::alertId).collect(Collectors.toCollection(TreeSet::new));
    }
}
