package dev.gradwatch.trainer;

import dev.gradwatch.embedded.EmbeddedKafkaBroker;
import dev.gradwatch.events.CommandSigner;
import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.trainer.model.ModelFile;
import dev.gradwatch.trainer.train.Trainable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A command redelivered after a monitor restart (same command id) is acknowledged again with the
 * first outcome and not applied twice, through a real broker.
 */
class TrainerWorkerRedeliveryTest {

    @Test
    void aRedeliveredCommandIsAcknowledgedAgainWithItsFirstOutcomeAndAppliedOnce() throws Exception {
        ModelFile model = ModelFile.read(Path.of("..", "examples", "models", "two-spirals.yaml"));
        CommandSigner keys = CommandSigner.parse(CommandSigner.randomKeySpec("k"));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createTopics(1, "stats", "control", "acks");
            // long enough to still be training when the redelivery comes; a STOP ends it
            TrainerWorker worker = new TrainerWorker(new TrainerWorker.Config(broker.bootstrapServers(), "stats",
                    "control", "acks", "spirals", "w0", Trainable.Factory.of(model), 100_000, 200, 1000, keys), null);
            worker.connect();
            Thread trainer = new Thread(worker, "trainer");
            trainer.start();
            long now = System.currentTimeMillis();
            ControlCommand scale = keys.sign(new ControlCommand(1, "c-1", "spirals", "w0",
                    ControlCommand.Type.SCALE_LR, 0.5, "test", 1, now, now + 60_000, null, null));
            ControlCommand stop = keys.sign(new ControlCommand(1, "c-2", "spirals", "w0",
                    ControlCommand.Type.STOP, 0, "test over", 2, now, now + 60_000, null, null));
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer());
                 TopicReader acksIn = new TopicReader(broker.bootstrapServers(), null, "acks")) {
                List<ControlAck> acks = acksIn.acks;

                p.send(new ProducerRecord<>("control", "spirals", EventCodec.encode(scale))).get();
                awaitAcks(acksIn, 1);
                assertEquals(1, worker.appliedControls().size(), "the first delivery was applied");

                // the monitor restarted from a checkpoint taken before it sent c-1: the same command again
                p.send(new ProducerRecord<>("control", "spirals", EventCodec.encode(scale))).get();
                awaitAcks(acksIn, 2);
                p.send(new ProducerRecord<>("control", "spirals", EventCodec.encode(stop))).get();
                awaitAcks(acksIn, 3);
                trainer.join(30_000);
                assertTrue(worker.finished());

                assertEquals(List.of("c-1", "c-1", "c-2"), acks.stream().map(ControlAck::commandId).toList());
                ControlAck first = acks.get(0);
                ControlAck again = acks.get(1);
                assertTrue(first.applied(), first.detail());
                assertEquals(first.applied(), again.applied());
                assertEquals(first.detail(), again.detail(), "the second ack repeats the first outcome");
                assertEquals(first.step(), again.step(), "from the step it was first applied at");
                assertTrue(acks.get(2).applied(), "a redelivery is not a replay: the next command is accepted");

                assertEquals(List.of(ControlCommand.Type.SCALE_LR, ControlCommand.Type.STOP),
                        worker.appliedControls().stream().map(TrainerWorker.AppliedControl::type).toList(),
                        "applied once");
                assertEquals(1, worker.reacknowledgedCommands());
                assertEquals(0, worker.rejectedCommands());
            } finally {
                trainer.join(30_000);
            }
        }
    }

    private static void awaitAcks(TopicReader in, int n) throws Exception {
        in.readUntil(() -> in.acks.size() >= n);
        assertEquals(n, in.acks.size(), "acks so far: " + in.acks);
    }
}
