package dev.gradwatch.trainer;

import dev.gradwatch.embedded.EmbeddedKafkaBroker;
import dev.gradwatch.events.CommandSigner;
import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.events.StepStats;
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

/** A worker training a model file publishes its statistics and obeys a signed clip command. */
class TrainerWorkerModelFileTest {

    @Test
    void aWorkerTrainsAModelFilePublishesEveryStepAndAppliesASignedClipCommand() throws Exception {
        ModelFile model = ModelFile.read(Path.of("..", "examples", "models", "two-spirals.yaml"));
        CommandSigner keys = CommandSigner.parse(CommandSigner.randomKeySpec("k"));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createTopics(1, "stats", "control", "acks");
            TrainerWorker worker = new TrainerWorker(new TrainerWorker.Config(broker.bootstrapServers(), "stats",
                    "control", "acks", "spirals", "w0", Trainable.Factory.of(model), 40, 0, 1000, keys), null);
            worker.connect();
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                ControlCommand clip = keys.sign(new ControlCommand(1, "c-1", "spirals", "w0",
                        ControlCommand.Type.SET_CLIP_NORM, 0.25, "test", 1, System.currentTimeMillis(),
                        System.currentTimeMillis() + 60_000, null, null));
                p.send(new ProducerRecord<>("control", "spirals", EventCodec.encode(clip))).get();
            }
            Thread.sleep(500); // let the listener receive it before the first step
            worker.run();

            assertEquals(40, worker.stepsDone());
            assertEquals(0.25, worker.clipNorm());
            assertEquals(1, worker.appliedControls().size());
            assertEquals(0, worker.appliedControls().get(0).step());

            TopicReader in = TopicReader.read(broker.bootstrapServers(), "stats", "acks",
                    r -> r.stats.size() >= 41 && !r.acks.isEmpty());
            List<StepStats> stats = in.stats;
            List<ControlAck> acks = in.acks;
            // 40 steps, then the end-of-run marker of a worker that finished normally
            assertEquals(41, stats.size());
            assertTrue(stats.get(40).endsRun());
            stats = stats.subList(0, 40);
            // four dense layers and the batch norm carry parameters
            assertEquals(5, stats.get(0).layers().size());
            assertEquals(0.25, stats.get(39).clipNorm());
            assertNotNull(stats.get(0).layers().get(0).gradHistogram());
            assertTrue(acks.get(0).applied(), acks.get(0).detail());
        }
    }
}
