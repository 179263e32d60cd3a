package dev.gradwatch.trainer;

import dev.gradwatch.embedded.EmbeddedKafkaBroker;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.trainer.model.ModelFile;
import dev.gradwatch.trainer.train.Trainable;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** A worker labels every record it publishes and, when it finishes normally, ends with an end-of-run marker. */
class TrainerWorkerEndOfRunTest {

    @Test
    void aFinishedWorkerPublishesLabelledStepsThenOneEndOfRunMarker() throws Exception {
        ModelFile model = ModelFile.parse("""
                input: 2
                layers: [{type: dense, size: 8, activation: tanh}, {type: dense, size: 2}]
                loss: softmax-ce
                optimizer: {type: sgd, lr: 0.1}
                data: {type: two-spirals}
                batch: 16
                steps: 25
                labels: {team: vision, tier: cpu}
                """, false, "tiny");
        Map<String, String> labels = new LinkedHashMap<>(model.labels());
        labels.put("tier", "gpu"); // the command line wins over the file
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createTopics(1, "stats", "control", "acks");
            TrainerWorker worker = new TrainerWorker(new TrainerWorker.Config(broker.bootstrapServers(), "stats",
                    "control", "acks", "spirals", "w0", Trainable.Factory.of(model), 25, 0, 1000, null, labels), null);
            worker.run();
            assertTrue(worker.endOfRunDelivered());
            assertEquals(25, worker.published(), "steps only; the marker is counted apart");

            List<StepStats> stats = TopicReader.read(broker.bootstrapServers(), "stats", null, r -> r.stats.size() >= 26).stats;
            assertEquals(26, stats.size());
            for (StepStats s : stats) assertEquals(Map.of("team", "vision", "tier", "gpu"), s.labels());
            assertTrue(stats.subList(0, 25).stream().noneMatch(StepStats::endsRun));
            StepStats end = stats.get(25);
            assertTrue(end.endsRun(), "the last record is the marker");
            assertEquals(25, end.step(), "the number of steps taken");
            assertEquals(stats.get(24).layers(), end.layers(), "the last step's layers, repeated");
            assertEquals(worker.lastLoss(), end.loss());
        }
    }

    @Test
    void aBadLabelStopsTheWorkerBeforeItStartsNamingTheLabel() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TrainerWorker.Config("x", "s", "c", "a", "r",
                "w", () -> null, 1, 0, 1, null, Map.of("team", "v".repeat(300))));
        assertTrue(e.getMessage().startsWith("labels.team: value must be at most 256 characters"), e.getMessage());
    }
}
