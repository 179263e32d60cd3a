package dev.gradwatch.trainer;

import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.DecodeException;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.events.StepStats;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * What the trainers publish, read back from a real broker for tests: the statistics topic and the
 * acks topic from the beginning, decoded into {@link #stats} and {@link #acks}.
 */
public final class TopicReader implements AutoCloseable {

    /** The statistics read so far, in order. */
    public final List<StepStats> stats = new ArrayList<>();
    /** The acks read so far, in order. */
    public final List<ControlAck> acks = new ArrayList<>();
    private final String statsTopic;
    private final KafkaConsumer<String, byte[]> consumer;

    /** Reads {@code statsTopic} and {@code acksTopic}; either may be null for none. */
    public TopicReader(String bootstrapServers, String statsTopic, String acksTopic) {
        this.statsTopic = statsTopic;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "t",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer());
        List<String> topics = new ArrayList<>();
        if (statsTopic != null) topics.add(statsTopic);
        if (acksTopic != null) topics.add(acksTopic);
        consumer.subscribe(topics);
    }

    /**
     * Reads until {@code done} holds or 30 s have passed, and closes the consumer; what was read
     * stays in the returned reader's lists, for the caller to assert on.
     */
    public static TopicReader read(String bootstrapServers, String statsTopic, String acksTopic,
                                   Predicate<TopicReader> done) throws DecodeException {
        try (TopicReader in = new TopicReader(bootstrapServers, statsTopic, acksTopic)) {
            return in.readUntil(() -> done.test(in));
        }
    }

    /** Polls until {@code done} holds or 30 s have passed; the caller asserts on what was read. */
    public TopicReader readUntil(BooleanSupplier done) throws DecodeException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.topic().equals(statsTopic)) stats.add(EventCodec.decode(r.value(), StepStats.class));
                else acks.add(EventCodec.decode(r.value(), ControlAck.class));
            }
        }
        return this;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
