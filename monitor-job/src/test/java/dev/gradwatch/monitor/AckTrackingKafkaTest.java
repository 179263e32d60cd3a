package dev.gradwatch.monitor;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.Rules;
import dev.gradwatch.monitor.testing.EndToEnd;
import dev.gradwatch.monitor.testing.StatsFixtures;
import dev.gradwatch.monitor.testing.TopicReader;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acknowledgement loop on a real broker and a MiniCluster at parallelism 2: three exploding runs
 * get the same commands; a stand-in trainer applies and acknowledges those of one run, refuses those
 * of another, and never answers the third.
 */
class AckTrackingKafkaTest extends BrokerPerClass {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long ACK_TIMEOUT_MS = 3_000;

    @Test
    void aCommandNobodyAcknowledgesIsAlertedARejectedOneTooButAnAppliedOneIsNot() throws Exception {
        MonitorConfig cfg = EndToEnd.topics(broker, "acks", Map.of(
                "topic.acks", "acks-acks",
                "command.ack-timeout.ms", Long.toString(ACK_TIMEOUT_MS),
                "checkpoint.interval.ms", "1000"));
        broker.createTopics(2, cfg.acksTopic());
        JobClient job = EndToEnd.start(cfg, EndToEnd.miniCluster());
        try (KafkaProducer<String, byte[]> producer = EndToEnd.producer(broker);
             TopicReader control = new TopicReader(broker.bootstrapServers(), cfg.controlTopic());
             TopicReader alertsTopic = new TopicReader(broker.bootstrapServers(), cfg.alertsTopic())) {
            for (String run : List.of("run-obeys", "run-refuses", "run-deaf")) {
                for (StepStats s : StatsFixtures.exploding(run, "w0", 30, -1)) {
                    EndToEnd.publish(producer, cfg.statsTopic(), s);
                }
            }
            producer.flush();

            // the stand-in trainer: answers each command as it comes, until every run has all of its four
            Set<String> answered = new HashSet<>();
            List<ControlCommand> commands = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (commands.size() < 12 && System.nanoTime() < deadline) {
                List<ConsumerRecord<String, byte[]>> seen = control.readFor(Duration.ofMillis(100));
                commands.clear();
                for (ConsumerRecord<String, byte[]> r : seen) commands.add(EventCodec.decode(r.value(), ControlCommand.class));
                for (ControlCommand c : commands) {
                    if (c.runId().equals("run-deaf") || !answered.add(c.commandId())) continue;
                    boolean applied = c.runId().equals("run-obeys");
                    ControlAck ack = new ControlAck(ControlAck.CURRENT_VERSION, c.commandId(), c.runId(), c.workerId(),
                            applied, applied ? "" : "replayed: sequence " + c.seq() + " is not after 99", 30,
                            System.currentTimeMillis());
                    producer.send(new ProducerRecord<>(cfg.acksTopic(), c.runId(), EventCodec.encode(ack)));
                }
                producer.flush();
            }
            assertEquals(12, commands.size(), "commands: " + commands);
            assertEquals(Set.of("run-obeys", "run-refuses", "run-deaf"),
                    commands.stream().map(ControlCommand::runId).collect(Collectors.toSet()));

            alertsTopic.readUntil(seen -> ackRules(EndToEnd.alerts(seen)).containsAll(Set.of(
                    "run-deaf/" + Rules.COMMAND_UNACKNOWLEDGED, "run-refuses/" + Rules.COMMAND_REJECTED)), TIMEOUT);
            // long enough for any command of the other runs to have timed out too
            List<Alert> alerts = EndToEnd.alerts(alertsTopic.readFor(Duration.ofMillis(ACK_TIMEOUT_MS + 2_000)));
            assertEquals(Set.of("run-deaf/" + Rules.COMMAND_UNACKNOWLEDGED, "run-refuses/" + Rules.COMMAND_REJECTED),
                    ackRules(alerts), "alerts: " + alerts);
            List<Alert> deaf = alerts.stream().filter(a -> a.rule().equals(Rules.COMMAND_UNACKNOWLEDGED)).toList();
            assertEquals(4, deaf.size(), "one per command, each with its own id: " + deaf);
            assertEquals(4, deaf.stream().map(Alert::alertId).distinct().count());
            Alert refused = alerts.stream().filter(a -> a.rule().equals(Rules.COMMAND_REJECTED)).findFirst().orElseThrow();
            assertTrue(refused.summary().contains("replayed: sequence"), refused.summary());
            assertEquals(Alert.FIRING, refused.status());
        } finally {
            job.cancel().get();
        }
    }

    private static Set<String> ackRules(List<Alert> alerts) {
        return alerts.stream()
                .filter(a -> a.rule().equals(Rules.COMMAND_UNACKNOWLEDGED) || a.rule().equals(Rules.COMMAND_REJECTED))
                .map(a -> a.runId() + "/" + a.rule()).collect(Collectors.toSet());
    }
}
