package dev.gradwatch.monitor;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.testing.AlertOracle;
import dev.gradwatch.monitor.testing.EndToEnd;
import dev.gradwatch.monitor.testing.StatsFixtures;
import dev.gradwatch.monitor.testing.TopicReader;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job stopped and started again from a retained checkpoint, on a real broker and a MiniCluster at
 * parallelism 2, with the same consumer group. Checkpoints every 500 ms to a directory, retained on
 * cancellation ({@code execution.checkpointing.dir},
 * {@code execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION}); the
 * second job restores with {@code execution.state-recovery.path} set to the latest {@code chk-N}.
 *
 * <p>Timeline: batch 1 (steps 0-19) raises alerts; a checkpoint completes after they were read; batch
 * 1b (steps 20-24) raises one more and the job is cancelled at once, so the restored job replays 1b
 * from the checkpoint; batch 2 (steps 25-39) follows. A vanished layer keeps vanishing in batch 2 (a
 * lost latch would announce it again at step 29), and an explosion of batch 1 clears in batch 2 (a lost
 * latch would never announce its resolution). Every alert id an uninterrupted in-order pass raises
 * ({@link AlertOracle}) must appear, and nothing else; raw duplicates, which the at-least-once sink may
 * write for what was replayed, are counted and must all be ids that were expected anyway.
 */
class RestartFromCheckpointTest extends BrokerPerClass {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String VANISH = "run-vanish";
    private static final String SPIKE = "run-spike";

    @TempDir
    Path checkpoints;

    /** Layer 0 vanished (1e-9) at every step. */
    static StepStats vanishing(int s) {
        double j = 1 + 0.01 * (s % 3);
        return StatsFixtures.step(VANISH, "w0", s, 2.3, "dense/relu", 1e-9 * j, 0.5 * j, 0.9 * j);
    }

    /** Layer 2 over the ceiling at steps 10-14, healthy after; layer 1's gradient NaN at step 22. */
    static StepStats spiking(int s) {
        double j = 1 + 0.01 * (s % 3);
        return StatsFixtures.step(SPIKE, "w0", s, 1.0 + 0.001 * (s % 3), "dense/relu", 0.5 * j,
                s == 22 ? Double.NaN : 0.7 * j, (s >= 10 && s <= 14 ? 5000 : 0.9) * j);
    }

    @Test
    void aJobRestartedFromItsCheckpointLosesNoAlertAndAnnouncesNoConditionTwice() throws Exception {
        long started = System.nanoTime();
        MonitorConfig cfg = EndToEnd.topics(broker, "restart", Map.of("checkpoint.interval.ms", "500",
                // nobody acknowledges commands here: no command_unacknowledged while the test runs
                "command.ack-timeout.ms", "600000"));
        AlertOracle oracle = new AlertOracle(cfg.rules());
        Set<String> batch1 = feed(oracle, 0, 20);
        Set<String> batch1b = feed(oracle, 20, 25);
        Set<String> batch2 = feed(oracle, 25, 40);
        Set<String> expected = oracle.alertIds();
        assertTrue(batch1.containsAll(Set.of("vanishing_gradient:run-vanish:w0:0:firing@9",
                "exploding_gradient:run-spike:w0:2:firing@10")), batch1.toString());
        assertTrue(batch1b.contains("non_finite_gradient:run-spike:w0:*:firing@22"), batch1b.toString());
        assertTrue(batch2.contains("exploding_gradient:run-spike:w0:2:resolved@29"), batch2.toString());

        Configuration conf = EndToEnd.miniCluster();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);

        try (KafkaProducer<String, byte[]> producer = EndToEnd.producer(broker);
             TopicReader alertsTopic = new TopicReader(broker.bootstrapServers(), cfg.alertsTopic());
             TopicReader controlTopic = new TopicReader(broker.bootstrapServers(), cfg.controlTopic())) {
            JobClient first = EndToEnd.start(cfg, conf);
            Path restoreFrom;
            long restartMs;
            try {
                publish(producer, cfg, 0, 20);
                awaitAlerts(alertsTopic, batch1);
                // a checkpoint triggered after batch 1's alerts were read holds the latches that announced them
                int seen = latestCheckpoint(first.getJobID()).map(RestartFromCheckpointTest::number).orElse(0);
                awaitCheckpoint(first.getJobID(), seen + 2);

                publish(producer, cfg, 20, 25);
                awaitAlerts(alertsTopic, batch1b);
            } finally {
                first.cancel().get();
                try {
                    first.getJobExecutionResult().get(30, TimeUnit.SECONDS);
                } catch (Exception cancelled) {
                    // the job ends cancelled: expected
                }
            }
            long stopped = System.nanoTime();
            restoreFrom = latestCheckpoint(first.getJobID()).orElseThrow(() -> new AssertionError("no checkpoint retained"));

            Configuration restored = new Configuration(conf);
            restored.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.toString());
            JobClient second = EndToEnd.start(cfg, restored);
            try {
                publish(producer, cfg, 25, 40);
                awaitAlerts(alertsTopic, expected);
                restartMs = (System.nanoTime() - stopped) / 1_000_000;
                List<Alert> raw = EndToEnd.alerts(alertsTopic.readFor(Duration.ofSeconds(2)));
                List<ConsumerRecord<String, byte[]>> commandRecords = controlTopic.readFor(Duration.ofMillis(500));

                Map<String, Integer> copies = new TreeMap<>();
                for (Alert a : raw) copies.merge(a.alertId(), 1, Integer::sum);
                Map<String, Integer> duplicated = copies.entrySet().stream().filter(e -> e.getValue() > 1)
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
                Map<String, Integer> commandCopies = new HashMap<>();
                for (ConsumerRecord<String, byte[]> r : commandRecords) {
                    commandCopies.merge(EventCodec.decode(r.value(), ControlCommand.class).commandId(), 1, Integer::sum);
                }
                System.out.printf("restart: restored from %s; %d raw alerts, %d distinct, raw duplicates %d %s; "
                                + "commands %d raw, %d distinct; from cancel to the last alert %d ms; %.1f s in all%n",
                        checkpoints.relativize(restoreFrom), raw.size(), copies.size(), raw.size() - copies.size(),
                        duplicated, commandRecords.size(), commandCopies.size(), restartMs,
                        (System.nanoTime() - started) / 1e9);

                // after dropping duplicates by id, as consumers do: exactly the alerts of an uninterrupted run
                assertEquals(new TreeSet<>(expected), copies.keySet(), "alerts by id: " + copies);
                // batch 1 was announced before the checkpoint: restored latches neither lose nor repeat it
                for (String id : batch1) assertEquals(1, copies.get(id), id + " " + copies);
                // the vanished layer kept vanishing after the restart without being announced again
                assertTrue(copies.keySet().stream().noneMatch(id -> id.startsWith("vanishing") && !id.endsWith("@9")),
                        copies.toString());
            } finally {
                second.cancel().get();
            }
        }
    }

    /** Feeds steps {@code [from, to)} of both runs to the oracle; returns the ids they raised. */
    private static Set<String> feed(AlertOracle oracle, int from, int to) {
        Set<String> ids = new LinkedHashSet<>();
        for (int s = from; s < to; s++) {
            for (StepStats st : List.of(vanishing(s), spiking(s))) oracle.feed(st).forEach(a -> ids.add(a.alertId()));
        }
        return ids;
    }

    private static void publish(KafkaProducer<String, byte[]> producer, MonitorConfig cfg, int from, int to) {
        for (int s = from; s < to; s++) {
            EndToEnd.publish(producer, cfg.statsTopic(), vanishing(s));
            EndToEnd.publish(producer, cfg.statsTopic(), spiking(s));
        }
        producer.flush();
    }

    private static void awaitAlerts(TopicReader alertsTopic, Set<String> ids) {
        List<Alert> seen = EndToEnd.alerts(alertsTopic.readUntil(
                r -> EndToEnd.alerts(r).stream().map(Alert::alertId).collect(Collectors.toSet()).containsAll(ids),
                TIMEOUT));
        Set<String> got = seen.stream().map(Alert::alertId).collect(Collectors.toSet());
        assertTrue(got.containsAll(ids), "expected " + ids + ", got " + got);
    }

    /** The highest {@code chk-N} of the job whose metadata is written: a completed checkpoint. */
    private Optional<Path> latestCheckpoint(JobID job) throws Exception {
        Path dir = checkpoints.resolve(job.toString());
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (Stream<Path> chk = Files.list(dir)) {
            return chk.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .max(java.util.Comparator.comparingInt(RestartFromCheckpointTest::number));
        }
    }

    private void awaitCheckpoint(JobID job, int number) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (latestCheckpoint(job).map(RestartFromCheckpointTest::number).orElse(0) < number) {
            if (System.nanoTime() > deadline) throw new AssertionError("checkpoint " + number + " never completed");
            Thread.sleep(50);
        }
    }

    private static int number(Path chk) {
        return Integer.parseInt(chk.getFileName().toString().substring("chk-".length()));
    }
}
