package dev.gradwatch.monitor.job;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradwatch.events.Alert;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.DeadLetter;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.monitor.MonitorConfig;
import dev.gradwatch.monitor.ingest.RawRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.nio.charset.StandardCharsets;

/**
 * The Kafka source and sinks of the job. Sinks are at-least-once, never exactly-once: a
 * transactional sink would hold every alert and command until the next checkpoint completes.
 * Duplicates after a restart carry the same alert or command id, so consumers drop them.
 */
public final class KafkaIo {

    /** Record key of alerts and commands: the run id, so that a run's records stay in order. */
    public static final SerializationSchema<Alert> ALERT_KEY = a -> utf8(a.runId());
    public static final SerializationSchema<ControlCommand> COMMAND_KEY = c -> utf8(c.runId());
    /** A dead letter is keyed by the run id found in its payload, when there is one. */
    public static final SerializationSchema<DeadLetter> DEAD_LETTER_KEY = KafkaIo::runIdOf;

    private KafkaIo() {
    }

    /**
     * Reads the stats topic as raw records, from the group's committed offsets, else from the
     * configured end. Offsets are committed on checkpoints.
     */
    public static KafkaSource<RawRecord> statsSource(MonitorConfig cfg) {
        OffsetResetStrategy reset = "latest".equals(cfg.startingOffsets())
                ? OffsetResetStrategy.LATEST : OffsetResetStrategy.EARLIEST;
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(cfg.bootstrapServers())
                .setTopics(cfg.statsTopic())
                .setGroupId(cfg.groupId())
                .setClientIdPrefix(cfg.groupId() + "-stats")
                .setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
                .setDeserializer(new RawRecordDeserializer())
                .setProperty("partition.discovery.interval.ms", "30000")
                .build();
    }

    /**
     * Reads the rules topic as raw records, always from its start: every rules file since the
     * topic began is applied in order, so the latest is in force (a compacted topic with one
     * partition keeps this short and ordered). On a restore, the checkpointed offsets win.
     */
    public static KafkaSource<RawRecord> rulesSource(MonitorConfig cfg) {
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(cfg.bootstrapServers())
                .setTopics(cfg.rulesTopic())
                .setGroupId(cfg.groupId() + "-rules")
                .setClientIdPrefix(cfg.groupId() + "-rules")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new RawRecordDeserializer())
                .build();
    }

    /**
     * Reads the trainers' acks as raw records, from the committed offsets of its own group, else from
     * the configured end, like the stats topic. Subscribed as a pattern naming just that topic: a
     * topic list fails the job when the topic does not exist yet (no trainer has acknowledged
     * anything), a pattern waits for it and reads a partition found later from its start.
     */
    public static KafkaSource<RawRecord> acksSource(MonitorConfig cfg) {
        OffsetResetStrategy reset = "latest".equals(cfg.startingOffsets())
                ? OffsetResetStrategy.LATEST : OffsetResetStrategy.EARLIEST;
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(cfg.bootstrapServers())
                .setTopicPattern(java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(cfg.acksTopic())))
                .setGroupId(cfg.groupId() + "-acks")
                .setClientIdPrefix(cfg.groupId() + "-acks")
                .setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
                .setDeserializer(new RawRecordDeserializer())
                .setProperty("partition.discovery.interval.ms", "5000")
                .build();
    }

    /** An at-least-once sink writing {@code T} as JSON with {@link EventCodec}. */
    public static <T> KafkaSink<T> sink(MonitorConfig cfg, String topic, Class<T> type, SerializationSchema<T> key) {
        SerializationSchema<T> value = new JsonSerialization<>(type);
        KafkaRecordSerializationSchema<T> records = KafkaRecordSerializationSchema.<T>builder()
                .setTopic(topic)
                .setKeySerializationSchema(key)
                .setValueSerializationSchema(value)
                .build();
        return KafkaSink.<T>builder()
                .setBootstrapServers(cfg.bootstrapServers())
                .setRecordSerializer(records)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                // send at once: these records are few and someone is waiting for them
                .setProperty("linger.ms", "0")
                .build();
    }

    static byte[] runIdOf(DeadLetter d) {
        try {
            JsonNode runId = EventCodec.mapper().readTree(d.payload()).get("runId");
            return runId != null && runId.isTextual() ? utf8(runId.asText()) : null;
        } catch (Exception | StackOverflowError e) {
            return null; // not JSON at all: no key
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
