package dev.gradwatch.monitor;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.Rules;
import dev.gradwatch.monitor.testing.AlertOracle;
import dev.gradwatch.monitor.testing.EndToEnd;
import dev.gradwatch.monitor.testing.StatsFixtures;
import dev.gradwatch.monitor.testing.TopicReader;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

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
 * Two runs on one job, on a real broker and a MiniCluster at parallelism 2: a fast run of hundreds of
 * steps whose layers explode one by one, and a slow run of a few sparse steps that sits idle, on a
 * partition of its own, while the fast one trains. Event-time windows would hold the fast run's alerts
 * back until the idle partition's watermark moved; this job's windows are counted in steps per key,
 * so the slow run must not delay anything. Measured: from publishing an exploding step to reading its
 * alert off the alerts topic, while the slow run is idle.
 */
class TwoRunsAtDifferentSpeedsTest extends BrokerPerClass {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The bound on publish-to-alert latency; the at-least-once sink's p50 is about 50 ms. */
    private static final long MAX_LATENCY_MS = 3000;
    private static final String FAST = "run-fast";
    private static final String SLOW = "run-slow";
    private static final int FAST_PARTITION = 0;
    private static final int SLOW_PARTITION = 1;
    /** Exploding steps of the fast run: layer {@code i} goes 10,000-fold at {@code EXPLOSIONS[i]}. */
    private static final int[] EXPLOSIONS = {300, 320, 340};
    private static final int FAST_STEPS = 360;
    /** The slow run's steps: sparse; the first three, then nothing until the fast run is done. */
    private static final int[] SLOW_EARLY = {0, 2, 4};
    private static final int[] SLOW_LATE = {6, 8, 9};

    static StepStats fast(int s) {
        double[] norms = {0.5 + 0.05 * (s % 4), 0.7 + 0.05 * (s % 3), 0.9 + 0.05 * (s % 5)};
        for (int layer = 0; layer < EXPLOSIONS.length; layer++) {
            if (s == EXPLOSIONS[layer]) norms[layer] *= 1e4;
        }
        return StatsFixtures.step(FAST, "w0", s, 1.0 / (1 + s), "dense/relu", norms);
    }

    /** Layer 0 vanished (1e-9) under healthy layers 1 and 2. */
    static StepStats slow(int s) {
        double jitter = 1 + 0.01 * (s % 3);
        return StatsFixtures.step(SLOW, "w0", s, 2.3, "dense/relu", 1e-9 * jitter, 0.5 * jitter, 0.9 * jitter);
    }

    @Test
    void anIdleSlowRunNeverDelaysTheFastRunsAlertsAndStillGetsItsOwn() throws Exception {
        long started = System.nanoTime();
        MonitorConfig cfg = EndToEnd.topics(broker, "speeds", Map.of("checkpoint.interval.ms", "1000",
                // nobody acknowledges commands here: no command_unacknowledged while the test runs
                "command.ack-timeout.ms", "600000"));
        AlertOracle oracle = new AlertOracle(cfg.rules());
        for (int s = 0; s < FAST_STEPS; s++) oracle.feed(fast(s));
        for (int s : SLOW_EARLY) oracle.feed(slow(s));
        for (int s : SLOW_LATE) oracle.feed(slow(s));
        Set<String> expected = oracle.alertIds();
        Set<String> slowExpected = expected.stream().filter(id -> id.contains(":" + SLOW + ":")).collect(Collectors.toSet());
        assertEquals(Set.of("vanishing_gradient:run-slow:w0:0:firing@9",
                "vanishing_gradient_depth:run-slow:w0:*:firing@9",
                "vanishing_gradient_attenuation:run-slow:w0:*:firing@9"), slowExpected);

        InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();
        Configuration conf = reporter.addToConfiguration(EndToEnd.miniCluster());
        JobClient job = EndToEnd.start(cfg, conf);
        try (KafkaProducer<String, byte[]> producer = EndToEnd.producer(broker);
             TopicReader alertsTopic = new TopicReader(broker.bootstrapServers(), cfg.alertsTopic())) {
            int published = 0;
            for (int s : SLOW_EARLY) published += send(producer, cfg, SLOW_PARTITION, slow(s));
            int next = 0;
            List<Long> latenciesMs = new ArrayList<>();
            for (int layer = 0; layer < EXPLOSIONS.length; layer++) {
                int exploding = EXPLOSIONS[layer];
                while (next < exploding) published += send(producer, cfg, FAST_PARTITION, fast(next++));
                producer.flush();
                // let the backlog drain, so that the latency is the exploding step's own
                awaitDecoded(reporter, job.getJobID(), published);

                String alertId = "exploding_gradient:run-fast:w0:" + layer + ":firing@" + exploding;
                long t0 = System.nanoTime();
                published += send(producer, cfg, FAST_PARTITION, fast(next++));
                producer.flush();
                List<Alert> seen = EndToEnd.alerts(alertsTopic.readUntil(
                        r -> EndToEnd.alerts(r).stream().anyMatch(a -> a.alertId().equals(alertId)), TIMEOUT));
                long latencyMs = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(seen.stream().anyMatch(a -> a.alertId().equals(alertId)), alertId + " never came: " + seen);
                latenciesMs.add(latencyMs);
                // the slow run has said nothing since step 4: its first window (steps 0-9) is still open
                assertTrue(seen.stream().noneMatch(a -> a.runId().equals(SLOW)), seen.toString());
            }
            while (next < FAST_STEPS) published += send(producer, cfg, FAST_PARTITION, fast(next++));
            producer.flush();
            awaitDecoded(reporter, job.getJobID(), published);
            assertTrue(EndToEnd.alerts(alertsTopic.readFor(Duration.ZERO)).stream().noneMatch(a -> a.runId().equals(SLOW)),
                    "the slow run alerted before its window completed");

            // the slow run wakes up; its window 0-9 completes with its step 9
            for (int s : SLOW_LATE) {
                if (s == SLOW_LATE[SLOW_LATE.length - 1]) producer.flush();
                published += send(producer, cfg, SLOW_PARTITION, slow(s));
            }
            long t0 = System.nanoTime();
            producer.flush();
            alertsTopic.readUntil(r -> ids(EndToEnd.alerts(r)).containsAll(slowExpected), TIMEOUT);
            long slowLatencyMs = (System.nanoTime() - t0) / 1_000_000;
            List<Alert> alerts = EndToEnd.alerts(alertsTopic.readFor(Duration.ofSeconds(1)));

            System.out.printf("two speeds: fast-run publish-to-alert %s ms with the slow run idle; slow run's window "
                            + "alerts %d ms after its step 9; %d records; %.1f s; alerts %s%n", latenciesMs, slowLatencyMs,
                    published, (System.nanoTime() - started) / 1e9, new TreeSet<>(ids(alerts)));
            assertEquals(new TreeSet<>(expected), new TreeSet<>(ids(alerts)), "alerts: " + alerts);
            assertEquals(alerts.size(), ids(alerts).size(), "each alert once: " + alerts);
            for (long ms : latenciesMs) assertTrue(ms < MAX_LATENCY_MS, "fast-run alert latencies " + latenciesMs);
            assertTrue(slowLatencyMs < MAX_LATENCY_MS, "slow-run alert latency " + slowLatencyMs);
            assertTrue(alerts.stream().anyMatch(a -> a.runId().equals(SLOW) && a.rule().equals(Rules.VANISHING_GRADIENT)));
        } finally {
            job.cancel().get();
        }
    }

    /** Sends one step to a chosen partition: the two runs never share one. */
    private static int send(KafkaProducer<String, byte[]> producer, MonitorConfig cfg, int partition, StepStats s) {
        producer.send(new ProducerRecord<>(cfg.statsTopic(), partition, s.runId(), EventCodec.encode(s)));
        return 1;
    }

    private static void awaitDecoded(InMemoryReporter reporter, JobID job, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (EndToEnd.counter(reporter, job, "statsDecoded") < count && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(count, EndToEnd.counter(reporter, job, "statsDecoded"), "records decoded");
    }

    private static Set<String> ids(List<Alert> alerts) {
        return alerts.stream().map(Alert::alertId).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }
}
