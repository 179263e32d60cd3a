package dev.gradwatch.trainer.kafka;

import dev.gradwatch.embedded.EmbeddedKafkaBroker;
import dev.gradwatch.events.CommandSigner;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.EventCodec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ControlListenerTest {

    private static ControlCommand command(String id, String run, String worker, long expiresAt) {
        return command(id, run, worker, expiresAt, Long.parseLong(id.substring(id.indexOf('-') + 1)));
    }

    private static ControlCommand command(String id, String run, String worker, long expiresAt, long seq) {
        long now = System.currentTimeMillis();
        return new ControlCommand(1, id, run, worker, ControlCommand.Type.SET_CLIP_NORM, 2.5, "exploding", seq,
                now, expiresAt, null, null);
    }

    @Test
    void deliversOwnCommandsOnceAndRejectsExpiredOnesAndCountsGarbage() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createTopics(3, "control");
            try (ControlListener listener = new ControlListener(broker.bootstrapServers(), "control", "run-a", "w1", null);
                 KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                         new StringSerializer(), new ByteArraySerializer())) {
                assertTrue(listener.awaitAssigned(Duration.ofSeconds(30)));
                long future = System.currentTimeMillis() + 60_000;
                ControlCommand mine = command("c-1", "run-a", "w1", future);
                p.send(new ProducerRecord<>("control", "run-a", EventCodec.encode(mine)));
                p.send(new ProducerRecord<>("control", "run-a", EventCodec.encode(mine))); // at-least-once duplicate
                p.send(new ProducerRecord<>("control", "run-a", EventCodec.encode(command("c-2", "run-a", "*", future))));
                p.send(new ProducerRecord<>("control", "run-a", EventCodec.encode(command("c-3", "run-a", "w2", future))));
                p.send(new ProducerRecord<>("control", "run-b", EventCodec.encode(command("c-4", "run-b", "w1", future))));
                p.send(new ProducerRecord<>("control", "run-a", EventCodec.encode(command("c-5", "run-a", "w1", 1))));
                p.send(new ProducerRecord<>("control", "run-a", "{not json".getBytes(StandardCharsets.UTF_8)));
                p.flush();

                List<ControlListener.Received> got = new ArrayList<>();
                long deadline = System.currentTimeMillis() + 20_000;
                while (got.size() < 4 && System.currentTimeMillis() < deadline) {
                    ControlListener.Received r = listener.poll();
                    if (r == null) Thread.sleep(20);
                    else got.add(r);
                }
                // give stragglers (a wrongly accepted duplicate) a moment to show up
                long settle = System.currentTimeMillis() + 500;
                while (System.currentTimeMillis() < settle) {
                    ControlListener.Received r = listener.poll();
                    if (r != null) got.add(r);
                    Thread.sleep(20);
                }
                List<String> ids = got.stream().filter(r -> !r.duplicate()).map(r -> r.command().commandId())
                        .sorted().toList();
                assertEquals(List.of("c-1", "c-2", "c-5"), ids);
                // the redelivery is handed on marked, after the first, for the worker to acknowledge again
                List<String> dups = got.stream().filter(ControlListener.Received::duplicate)
                        .map(r -> r.command().commandId()).toList();
                assertEquals(List.of("c-1"), dups);
                ControlListener.Received expired = got.stream()
                        .filter(r -> r.command().commandId().equals("c-5")).findFirst().orElseThrow();
                assertTrue(expired.rejected());
                assertTrue(expired.rejection().startsWith("expired"));
                assertEquals(2, listener.accepted());
                assertEquals(1, listener.duplicates());
                assertEquals(1, listener.rejected());
                assertEquals(1, listener.undecodable());
            }
        }
    }

    @Test
    void withKeysRefusesUnsignedForgedExpiredAndReplayedCommandsAndCountsEach() throws Exception {
        CommandSigner monitorKeys = CommandSigner.parse(CommandSigner.randomKeySpec("k1"));
        CommandSigner attacker = CommandSigner.parse(CommandSigner.randomKeySpec("k1"));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createTopics(1, "control");
            try (ControlListener listener = new ControlListener(broker.bootstrapServers(), "control", "run-a", "w1",
                    monitorKeys);
                 KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                         new StringSerializer(), new ByteArraySerializer())) {
                assertTrue(listener.awaitAssigned(Duration.ofSeconds(30)));
                long future = System.currentTimeMillis() + 60_000;
                ControlCommand good = monitorKeys.sign(command("c-10", "run-a", "w1", future));
                ControlCommand tampered = new ControlCommand(1, "c-11", "run-a", "w1", ControlCommand.Type.STOP, 0,
                        "stop", 11, good.issuedAtMs(), future, good.keyId(), good.signature());
                ControlCommand[] sent = {
                        good,
                        command("c-12", "run-a", "w1", future),                        // unsigned
                        tampered,                                                      // signature of another command
                        attacker.sign(command("c-13", "run-a", "w1", future)),         // right key id, wrong secret
                        monitorKeys.sign(command("c-14", "run-a", "w1", 1)),           // expired
                        monitorKeys.sign(command("c-15", "run-a", "w1", future, 10)),  // replays sequence 10
                        monitorKeys.sign(command("c-16", "run-a", "w1", future)),      // good
                };
                for (ControlCommand c : sent) p.send(new ProducerRecord<>("control", "run-a", EventCodec.encode(c)));
                p.flush();
                List<ControlListener.Received> got = new ArrayList<>();
                long deadline = System.currentTimeMillis() + 20_000;
                while (got.size() < sent.length && System.currentTimeMillis() < deadline) {
                    ControlListener.Received r = listener.poll();
                    if (r == null) Thread.sleep(20);
                    else got.add(r);
                }
                assertEquals(sent.length, got.size());
                List<String> accepted = got.stream().filter(r -> !r.rejected()).map(r -> r.command().commandId()).toList();
                assertEquals(List.of("c-10", "c-16"), accepted);
                assertEquals(2, listener.accepted());
                assertEquals(1, listener.rejectedUnsigned());
                assertEquals(2, listener.rejectedForged());
                assertEquals(1, listener.rejectedExpired());
                assertEquals(1, listener.rejectedReplayed());
                assertEquals(5, listener.rejected());
                assertTrue(got.stream().filter(r -> r.command().commandId().equals("c-15")).findFirst().orElseThrow()
                        .rejection().startsWith("replayed"));
            }
        }
    }
}
