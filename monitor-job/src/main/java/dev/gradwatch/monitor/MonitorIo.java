package dev.gradwatch.monitor;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.DeadLetter;
import dev.gradwatch.monitor.ingest.RawRecord;
import dev.gradwatch.monitor.job.KafkaIo;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;

/**
 * Where the job reads and writes: Kafka in production ({@link #kafka}), anything else in tests.
 *
 * @param stats       raw records of the stats topic
 * @param alerts      firing and resolved alerts
 * @param commands    control commands for the trainers
 * @param deadLetters records that could not be decoded
 * @param rules       raw records of the rules topic (whole rules files), or null for rules fixed at start
 * @param acks        raw records of the acks topic, or null: then commands are sent without tracking their acks
 */
public record MonitorIo(
        Source<RawRecord, ?, ?> stats,
        Sink<Alert> alerts,
        Sink<ControlCommand> commands,
        Sink<DeadLetter> deadLetters,
        Source<RawRecord, ?, ?> rules,
        Source<RawRecord, ?, ?> acks) {

    /**
     * A Kafka source on the stats topic, one on the acks topic, one on the rules topic when the
     * config names one, and at-least-once Kafka sinks, as the config says.
     */
    public static MonitorIo kafka(MonitorConfig cfg) {
        return new MonitorIo(KafkaIo.statsSource(cfg),
                KafkaIo.sink(cfg, cfg.alertsTopic(), Alert.class, KafkaIo.ALERT_KEY),
                KafkaIo.sink(cfg, cfg.controlTopic(), ControlCommand.class, KafkaIo.COMMAND_KEY),
                KafkaIo.sink(cfg, cfg.deadLetterTopic(), DeadLetter.class, KafkaIo.DEAD_LETTER_KEY),
                cfg.rulesTopic().isEmpty() ? null : KafkaIo.rulesSource(cfg), KafkaIo.acksSource(cfg));
    }
}
