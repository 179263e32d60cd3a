package dev.gradwatch.monitor;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.DeadLetter;
import dev.gradwatch.events.StepStats;
import org.apache.flink.streaming.api.datastream.DataStream;

/** The streams the monitor topology produces, before they reach a sink. */
public record MonitorStreams(
        DataStream<StepStats> stats,
        DataStream<Alert> alerts,
        DataStream<ControlCommand> commands,
        DataStream<DeadLetter> deadLetters) {
}
