package dev.gradwatch.trainer.kafka;

import dev.gradwatch.embedded.EmbeddedKafkaBroker;
import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.trainer.TopicReader;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class StatsPublisherTest {

    private static StepStats step(long i) {
        return new StepStats("run", "w0", i, i, 1.0 / (i + 1), 0.1, Double.POSITIVE_INFINITY,
                List.of(new LayerStats(0, "dense0", "dense/relu", 10, 0.5, 0.05, 0.2, 0, 0.1, 2.0, 1e-3)));
    }

    @Test
    void publishNeverWaitsForAnUnreachableBrokerAndCountsWhatItDrops() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort(); // closed again: nothing listens there
        }
        int capacity = 16;
        int attempts = 2_000;
        StatsPublisher publisher = new StatsPublisher("127.0.0.1:" + deadPort, "stats", "acks", capacity);
        long slowest = 0;
        int accepted = 0;
        for (int i = 0; i < attempts; i++) {
            long t0 = System.nanoTime();
            if (publisher.publish(step(i))) accepted++;
            slowest = Math.max(slowest, System.nanoTime() - t0);
        }
        // a blocked send would wait for metadata (max.block.ms = 5 s); a queue offer takes microseconds
        assertTrue(slowest < Duration.ofMillis(500).toNanos(), "a publish call took " + slowest / 1e6 + " ms");
        assertEquals(attempts, publisher.enqueued() + publisher.dropped());
        assertEquals(accepted, publisher.enqueued());
        // at most the queue plus the one record the sender holds can have been accepted
        assertTrue(publisher.dropped() >= attempts - capacity - 1, "dropped " + publisher.dropped());
        assertEquals(0, publisher.delivered());
        publisher.close(Duration.ofMillis(200));
        // nothing was delivered: every record was dropped at the queue, failed in the producer, or left behind
        assertEquals(attempts, publisher.dropped() + publisher.failed() + publisher.delivered(),
                "every record is accounted for");
    }

    @Test
    void deliversStatsAndAcksToTheirTopicsInOrder() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createTopics(1, "stats", "acks");
            StatsPublisher publisher = new StatsPublisher(broker.bootstrapServers(), "stats", "acks", 1000);
            for (int i = 0; i < 50; i++) assertTrue(publisher.publish(step(i)));
            assertTrue(publisher.publishAck(new ControlAck(1, "c1", "run", "w0", true, "ok", 3, 4)));
            publisher.close();
            TopicReader in = TopicReader.read(broker.bootstrapServers(), "stats", "acks",
                    r -> r.stats.size() >= 50 && !r.acks.isEmpty());
            List<StepStats> got = in.stats;
            List<ControlAck> acks = in.acks;
            assertEquals(50, got.size());
            for (int i = 0; i < 50; i++) assertEquals(i, got.get(i).step());
            assertEquals("c1", acks.get(0).commandId());
            assertEquals(50, publisher.delivered(), "acks are not counted as statistics");
            assertEquals(1, publisher.acksDelivered());
        }
    }
}
