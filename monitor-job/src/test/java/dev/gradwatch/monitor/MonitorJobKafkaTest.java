package dev.gradwatch.monitor;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.DeadLetter;
import dev.gradwatch.events.DecodeException;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.Rules;
import dev.gradwatch.monitor.policy.ClipPolicy;
import dev.gradwatch.monitor.testing.EndToEnd;
import dev.gradwatch.monitor.testing.StatsFixtures;
import dev.gradwatch.monitor.testing.TopicReader;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.gradwatch.monitor.testing.EndToEnd.alerts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole job on a real Kafka broker (KRaft, in this JVM) and a real Flink MiniCluster at
 * parallelism 2: statistics in on the stats topic, alerts, commands and dead letters out.
 */
class MonitorJobKafkaTest extends BrokerPerClass {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void alertsOnTheVanishingAndExplodingRunsAndClipsTheExplodingOneButLeavesTheHealthyRunAlone() throws Exception {
        MonitorConfig cfg = topics("sick");
        List<StepStats> vanishing = StatsFixtures.vanishing("run-vanish", "w0", 30);
        List<StepStats> exploding = StatsFixtures.exploding("run-explode", "w1", 30, 25);
        List<StepStats> healthy = StatsFixtures.healthy("run-healthy", "w0", 30);
        // four workers of one run, w2 with gradients 20 times its peers'
        List<List<StepStats>> fleet = StatsFixtures.fleet("run-fleet", 4, 30, 2, 20);

        JobClient job = EndToEnd.start(cfg, EndToEnd.miniCluster());
        try (KafkaProducer<String, byte[]> producer = EndToEnd.producer(broker);
             TopicReader alertsTopic = new TopicReader(broker.bootstrapServers(), cfg.alertsTopic());
             TopicReader controlTopic = new TopicReader(broker.bootstrapServers(), cfg.controlTopic())) {
            for (int s = 0; s < 30; s++) {
                for (StepStats st : List.of(healthy.get(s), vanishing.get(s), exploding.get(s))) {
                    // keyed run/worker as the trainers key them: routed undecoded, decoded after the shuffle
                    producer.send(new ProducerRecord<>(cfg.statsTopic(), st.runId() + "/" + st.workerId(),
                            EventCodec.encode(st)));
                }
                for (List<StepStats> worker : fleet) {
                    // keyed by worker, so that the workers of one run travel on different partitions; a key
                    // that does not name run and worker: decoded before the shuffle to learn where it goes
                    StepStats st = worker.get(s);
                    producer.send(new ProducerRecord<>(cfg.statsTopic(), st.workerId(), EventCodec.encode(st)));
                }
            }
            producer.flush();

            Set<String> expected = Set.of(
                    "run-vanish/" + Rules.VANISHING_GRADIENT,
                    "run-vanish/" + Rules.VANISHING_GRADIENT_DEPTH,
                    "run-vanish/" + Rules.VANISHING_GRADIENT_ATTENUATION,
                    "run-fleet/" + Rules.WORKER_DIVERGENCE,
                    "run-explode/" + Rules.EXPLODING_GRADIENT,
                    "run-explode/" + Rules.EXPLODING_GRADIENT_GROWTH,
                    "run-explode/" + Rules.NON_FINITE_GRADIENT,
                    "run-explode/" + Rules.NON_FINITE_LOSS);
            alertsTopic.readUntil(seen -> runRules(alerts(seen)).containsAll(expected), TIMEOUT);
            List<ControlCommand> commands = commands(controlTopic.readUntil(seen -> seen.size() >= 4, TIMEOUT));
            // the healthy run was published alongside the others; give its records time to be judged
            List<ConsumerRecord<String, byte[]>> alertRecords = alertsTopic.readFor(Duration.ofSeconds(2));
            List<Alert> alerts = alerts(alertRecords);

            assertEquals(expected, runRules(alerts), "alerts: " + alerts);
            assertTrue(alerts.stream().allMatch(a -> a.status().equals(Alert.FIRING)));
            for (ConsumerRecord<String, byte[]> r : alertRecords) {
                assertEquals(decode(r.value(), Alert.class).runId(), r.key(), "alerts are keyed by run id");
            }
            // the per-layer rule names the starved layers: 0 (1e-9) and 1 (1e-8), not 2 (1e-7)
            assertEquals(Set.of(0, 1), alerts.stream()
                    .filter(a -> a.rule().equals(Rules.VANISHING_GRADIENT))
                    .map(Alert::layerIndex).collect(Collectors.toSet()));
            // the cross-worker view names the diverging worker of the fleet, in every layer, and nobody else
            assertEquals(Set.of("w2"), alerts.stream().filter(a -> a.runId().equals("run-fleet"))
                    .map(Alert::workerId).collect(Collectors.toSet()));
            assertEquals(Set.of(0, 1, 2), alerts.stream().filter(a -> a.rule().equals(Rules.WORKER_DIVERGENCE))
                    .map(Alert::layerIndex).collect(Collectors.toSet()));
            Alert nonFinite = alerts.stream().filter(a -> a.rule().equals(Rules.NON_FINITE_GRADIENT))
                    .findFirst().orElseThrow();
            assertEquals(25, nonFinite.step());
            assertEquals("dense2", nonFinite.layerName());
            // fire once per fingerprint while the condition holds
            assertEquals(alerts.size(), alerts.stream().map(Alert::fingerprint).distinct().count(), alerts.toString());

            commands = commands(controlTopic.readFor(Duration.ZERO));
            assertFalse(commands.isEmpty());
            for (ControlCommand c : commands) {
                assertEquals("run-explode", c.runId());
                assertEquals("w1", c.workerId());
                assertTrue(c.expiresAtMs() > c.issuedAtMs());
            }
            // the first command answers the growth of the global norm over the window 0-9 with the p10 of
            // the global norms so far; the explosion goes on (this trainer never applies anything), so the
            // clip norm is halved 10 steps later, and at the third clip norm within lr.within-steps the
            // learning rate is halved too
            assertEquals(List.of("SET_CLIP_NORM:run-explode:w1@9", "SET_CLIP_NORM:run-explode:w1@19",
                    "SET_CLIP_NORM:run-explode:w1@29", "SCALE_LR:run-explode:w1@29"),
                    commands.stream().map(ControlCommand::commandId).toList());
            ControlCommand lr = commands.get(3);
            assertEquals(0.5, lr.value());
            assertTrue(lr.seq() > commands.get(2).seq(), "one sequence across command types");
            commands = commands.subList(0, 3);
            for (ControlCommand c : commands) {
                assertEquals(ControlCommand.Type.SET_CLIP_NORM, c.type());
                assertTrue(c.value() > 0 && c.value() <= 1e3, "clip norm " + c.value());
            }
            ControlCommand first = commands.get(0);
            double[] norms = new double[10];
            for (int s = 0; s < 10; s++) norms[s] = Math.sqrt(0.25 + 0.64 + 1) * Math.pow(2, s);
            assertEquals(ClipPolicy.percentile(norms, 10), first.value(), 1e-9);
            assertEquals(first.value() / 2, commands.get(1).value(), 1e-12);
            assertEquals(first.value() / 4, commands.get(2).value(), 1e-12);
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void sendsUndecodableRecordsToTheDeadLetterTopicAndKeepsProcessingGoodOnes() throws Exception {
        MonitorConfig cfg = topics("poison");
        String good = EventCodec.encodeToString(StatsFixtures.healthy("run-after", "w0", 1).get(0));
        List<byte[]> poison = new ArrayList<>();
        poison.add("{not json".getBytes(StandardCharsets.UTF_8));
        poison.add(good.substring(0, good.length() / 2).getBytes(StandardCharsets.UTF_8));
        poison.add(good.replace("\"step\":0", "\"step\":\"zero\"").getBytes(StandardCharsets.UTF_8));
        poison.add(good.replace("\"step\":0", "\"step\":-1").getBytes(StandardCharsets.UTF_8));
        poison.add(null);
        poison.add(new byte[0]);

        JobClient job = EndToEnd.start(cfg, EndToEnd.miniCluster());
        try (KafkaProducer<String, byte[]> producer = EndToEnd.producer(broker);
             TopicReader deadLetterTopic = new TopicReader(broker.bootstrapServers(), cfg.deadLetterTopic());
             TopicReader alertsTopic = new TopicReader(broker.bootstrapServers(), cfg.alertsTopic())) {
            // half keyed by run alone (decoded before the shuffle), half run/worker (decoded after it)
            for (int i = 0; i < poison.size(); i++) {
                producer.send(new ProducerRecord<>(cfg.statsTopic(), i % 2 == 0 ? "run-after" : "run-after/w0",
                        poison.get(i)));
            }
            // a key that names another worker than the payload: it would reach the wrong worker's state
            producer.send(new ProducerRecord<>(cfg.statsTopic(), "run-after/w9", good.getBytes(StandardCharsets.UTF_8)));
            for (StepStats st : StatsFixtures.exploding("run-after", "w0", 15, 12)) {
                producer.send(new ProducerRecord<>(cfg.statsTopic(), st.runId() + "/" + st.workerId(),
                        EventCodec.encode(st)));
            }
            producer.flush();

            List<ConsumerRecord<String, byte[]>> dead = deadLetterTopic.readUntil(
                    seen -> seen.size() >= poison.size() + 1, TIMEOUT);
            Set<String> expected = Set.of("run-after/" + Rules.EXPLODING_GRADIENT, "run-after/" + Rules.NON_FINITE_GRADIENT);
            List<Alert> alerts = alerts(alertsTopic.readUntil(seen -> runRules(alerts(seen)).containsAll(expected), TIMEOUT));

            List<DeadLetter> letters = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : dead) letters.add(decode(r.value(), DeadLetter.class));
            assertEquals(poison.size() + 1, letters.size(), "dead letters: " + letters);
            // the keys spread the records over both partitions: a record is its (partition, offset)
            assertEquals(poison.size() + 1, letters.stream().map(d -> d.partition() + "@" + d.offset()).distinct().count());
            for (DeadLetter d : letters) {
                assertEquals(cfg.statsTopic(), d.sourceTopic());
                assertFalse(d.reason().isBlank(), d.toString());
            }
            Map<String, String> reasonByPayload = letters.stream()
                    .collect(Collectors.toMap(DeadLetter::payload, DeadLetter::reason, (a, b) -> a + " / " + b));
            assertTrue(reasonByPayload.get("{not json").startsWith("not valid JSON"), reasonByPayload.toString());
            String wrongType = good.replace("\"step\":0", "\"step\":\"zero\"");
            assertTrue(reasonByPayload.get(wrongType).contains("$.step"), reasonByPayload.get(wrongType));
            String negative = good.replace("\"step\":0", "\"step\":-1");
            assertTrue(reasonByPayload.get(negative).contains("step must be >= 0"), reasonByPayload.get(negative));
            assertEquals("record key \"run-after/w9\" does not match the payload's runId \"run-after\" and workerId "
                    + "\"w0\" (the key must be runId/workerId)", reasonByPayload.get(good));
            // a dead letter whose payload names its run is keyed by it, like everything else
            assertTrue(dead.stream().anyMatch(r -> "run-after".equals(r.key())));

            assertTrue(runRules(alerts).containsAll(expected), "alerts after the poison: " + alerts);
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void aRulesFileOnTheRulesTopicChangesAThresholdMidRunWithoutLosingState() throws Exception {
        MonitorConfig cfg = topics("live").with(Map.of("topic.rules", "live-rules"));
        broker.createTopics(1, cfg.rulesTopic());
        // layer 0 at about 50 (under the default ceiling 1e3), layer 1 vanished at 1e-9
        java.util.function.IntFunction<StepStats> step = s -> StatsFixtures.step("run-live", "w0", s, 0.5,
                "dense/relu", 50 * (1 + 0.01 * (s % 3)), 1e-9);

        JobClient job = EndToEnd.start(cfg, EndToEnd.miniCluster());
        try (KafkaProducer<String, byte[]> producer = EndToEnd.producer(broker);
             TopicReader alertsTopic = new TopicReader(broker.bootstrapServers(), cfg.alertsTopic());
             TopicReader deadLetterTopic = new TopicReader(broker.bootstrapServers(), cfg.deadLetterTopic())) {
            for (int s = 0; s < 20; s++) {
                producer.send(new ProducerRecord<>(cfg.statsTopic(), "run-live", EventCodec.encode(step.apply(s))));
            }
            producer.flush();
            alertsTopic.readUntil(seen -> runRules(alerts(seen)).contains("run-live/" + Rules.VANISHING_GRADIENT), TIMEOUT);
            List<Alert> before = alerts(alertsTopic.readFor(Duration.ofSeconds(1)));
            assertTrue(before.stream().noneMatch(a -> a.rule().equals(Rules.EXPLODING_GRADIENT)), before.toString());

            // an invalid file is refused with its reason and changes nothing; the valid one after it applies
            producer.send(new ProducerRecord<>(cfg.rulesTopic(), "rules", """
                    overrides:
                      - match: {run-id: "run-live"}
                        set: {exploding.ceiling: -5}
                    """.getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(cfg.rulesTopic(), "rules", """
                    overrides:
                      - match: {run-id: "run-live"}
                        set: {exploding.ceiling: 10}
                    """.getBytes(StandardCharsets.UTF_8)));
            producer.flush();

            // the rules and the statistics travel apart: keep training until the new ceiling shows
            List<Alert> after = List.of();
            int s = 20;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (after.stream().noneMatch(a -> a.rule().equals(Rules.EXPLODING_GRADIENT)) && System.nanoTime() < deadline) {
                producer.send(new ProducerRecord<>(cfg.statsTopic(), "run-live", EventCodec.encode(step.apply(s++))));
                producer.flush();
                after = alerts(alertsTopic.readFor(Duration.ofMillis(100)));
            }
            Alert exploding = after.stream().filter(a -> a.rule().equals(Rules.EXPLODING_GRADIENT)).findFirst()
                    .orElseThrow(() -> new AssertionError("the new ceiling never applied"));
            assertEquals(10.0, exploding.evidence().get("ceiling"));
            assertEquals(0, exploding.layerIndex());
            assertTrue(exploding.step() >= 20, "fired at " + exploding.step());

            // state survived: with 30 more steps, a layer whose window and latch had been lost would fire
            // vanishing again; it fired once and was not announced again
            for (int end = s + 30; s < end; s++) {
                producer.send(new ProducerRecord<>(cfg.statsTopic(), "run-live", EventCodec.encode(step.apply(s))));
            }
            producer.flush();
            List<Alert> all = alerts(alertsTopic.readFor(Duration.ofSeconds(2)));
            assertEquals(1, all.stream().filter(a -> a.rule().equals(Rules.VANISHING_GRADIENT)).count(), all.toString());

            List<DeadLetter> refused = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : deadLetterTopic.readUntil(seen -> !seen.isEmpty(), TIMEOUT)) {
                refused.add(decode(r.value(), DeadLetter.class));
            }
            assertEquals(1, refused.size(), refused.toString());
            assertEquals(cfg.rulesTopic(), refused.get(0).sourceTopic());
            assertTrue(refused.get(0).reason().contains("exploding.ceiling must be a finite number > 0"),
                    refused.get(0).reason());
        } finally {
            job.cancel().get();
        }
    }

    /** A config on topics of their own for one test, checkpointing every second. */
    private static MonitorConfig topics(String prefix) {
        return EndToEnd.topics(broker, prefix, Map.of(
                "topic.acks", prefix + "-acks",
                // no trainer acknowledges here: keep command_unacknowledged out of these tests' alerts
                "command.ack-timeout.ms", "600000",
                "checkpoint.interval.ms", "1000"));
    }

    private static List<ControlCommand> commands(List<ConsumerRecord<String, byte[]>> records) {
        List<ControlCommand> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            assertEquals(decode(r.value(), ControlCommand.class).runId(), r.key(), "commands are keyed by run id");
            out.add(decode(r.value(), ControlCommand.class));
        }
        return out;
    }

    private static Set<String> runRules(List<Alert> alerts) {
        return alerts.stream().map(a -> a.runId() + "/" + a.rule()).collect(Collectors.toSet());
    }

    private static <T> T decode(byte[] value, Class<T> type) {
        try {
            return EventCodec.decode(value, type);
        } catch (DecodeException e) {
            throw new AssertionError("output is not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
