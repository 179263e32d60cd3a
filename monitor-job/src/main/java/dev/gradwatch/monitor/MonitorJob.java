package dev.gradwatch.monitor;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.DeadLetter;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.ingest.RawRecord;
import dev.gradwatch.events.ControlAck;
import dev.gradwatch.monitor.job.AckTrackerFunction;
import dev.gradwatch.monitor.job.DecodeAcksFunction;
import dev.gradwatch.monitor.job.DecodeRulesFunction;
import dev.gradwatch.monitor.job.DecodeStatsFunction;
import dev.gradwatch.monitor.job.SignCommandFunction;
import dev.gradwatch.monitor.job.LiveRulesState;
import dev.gradwatch.monitor.job.Outputs;
import dev.gradwatch.monitor.job.StallWatchFunction;
import dev.gradwatch.monitor.job.WorkerKey;
import dev.gradwatch.monitor.job.RouteStatsFunction;
import dev.gradwatch.monitor.job.RunDivergenceFunction;
import dev.gradwatch.monitor.job.StepNorms;
import dev.gradwatch.monitor.job.WorkerViewFunction;
import dev.gradwatch.monitor.job.wire.StatsEnvelopeSerializer;
import dev.gradwatch.monitor.job.wire.StepStatsSerializer;
import dev.gradwatch.monitor.ingest.StatsEnvelope;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import dev.gradwatch.monitor.rules.RuleSet;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.Arrays;
import java.util.List;

/**
 * The GradWatch monitor job: stats topic → per (run, worker) decode (dead letters aside), step view
 * and per-layer step windows → per-run comparison across workers, and a processing-time stall watch
 * per worker → alerts; per-worker control policy → control commands; the trainers' acks joined with
 * those commands → alerts on commands unacknowledged or rejected. A rules topic, when configured, is broadcast to those operators and
 * replaces the thresholds while the job runs, keeping their state.
 *
 * <p>This class only wires; the detectors and the policy are plain Java in {@code detect} and
 * {@code policy}. Sources and sinks come in through {@link MonitorIo}, so tests can pass others.
 */
public final class MonitorJob {

    public static final String JOB_NAME = "gradwatch-monitor";

    private MonitorJob() {
    }

    /** Reads the config from {@code --key value} arguments (see {@link MonitorConfig#KEYS}) and runs on Kafka. */
    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help")) {
            System.out.println(MonitorConfig.usage());
            return;
        }
        MonitorConfig cfg = MonitorConfig.fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(env, cfg);
        env.execute(JOB_NAME);
    }

    /** The job on the Kafka source and sinks the config names. */
    public static MonitorStreams build(StreamExecutionEnvironment env, MonitorConfig cfg) {
        return build(env, cfg, MonitorIo.kafka(cfg));
    }

    /** The job on the given source and sinks, with checkpointing and buffer timeout from the config. */
    public static MonitorStreams build(StreamExecutionEnvironment env, MonitorConfig cfg, MonitorIo io) {
        if (cfg.checkpointIntervalMs() > 0) env.enableCheckpointing(cfg.checkpointIntervalMs());
        env.setBufferTimeout(cfg.bufferTimeoutMs());
        // every record type is immutable, so chained operators may hand objects on without copies
        env.getConfig().enableObjectReuse();

        DataStream<RawRecord> raw = env
                .fromSource(io.stats(), WatermarkStrategy.noWatermarks(), "stats-source",
                        TypeInformation.of(RawRecord.class))
                .uid("stats-source");
        // without a rules topic an empty stream stands in, so that the topology is the same either way
        // (fromData of an empty collection fails in Flink 2.2: one placeholder, filtered out)
        DataStream<RawRecord> rules = io.rules() == null
                ? env.fromData(List.of(new RawRecord("", 0, -1, 0, null, null)), TypeInformation.of(RawRecord.class))
                        .name("no-rules-topic").uid("rules-source")
                        .filter(r -> false)
                        .name("no-rules").uid("no-rules")
                : env.fromSource(io.rules(), WatermarkStrategy.noWatermarks(), "rules-source",
                                TypeInformation.of(RawRecord.class))
                        .uid("rules-source");
        MonitorStreams streams = wire(raw, rules, cfg);
        if (io.acks() != null) {
            DataStream<RawRecord> acks = env
                    .fromSource(io.acks(), WatermarkStrategy.noWatermarks(), "acks-source",
                            TypeInformation.of(RawRecord.class))
                    .uid("acks-source");
            streams = trackAcks(streams, acks, cfg);
        }
        streams.alerts().sinkTo(io.alerts()).name("alerts-sink").uid("alerts-sink");
        DataStream<ControlCommand> outgoing = cfg.commandKeys().isEmpty()
                ? streams.commands()
                : streams.commands().map(new SignCommandFunction(cfg.commandKeys())).name("sign-commands").uid("sign-commands");
        outgoing.sinkTo(io.commands()).name("commands-sink").uid("commands-sink");
        streams.deadLetters().sinkTo(io.deadLetters()).name("dead-letters-sink").uid("dead-letters-sink");
        return streams;
    }

    /**
     * Joins the commands with the trainers' acks per (run, worker): commands never acknowledged and
     * commands rejected become alerts, undecodable acks dead letters.
     */
    public static MonitorStreams trackAcks(MonitorStreams streams, DataStream<RawRecord> ackRecords, MonitorConfig cfg) {
        SingleOutputStreamOperator<ControlAck> acks = ackRecords
                .process(new DecodeAcksFunction())
                .name("decode-acks").uid("decode-acks");
        SingleOutputStreamOperator<Alert> ackAlerts = streams.commands()
                .keyBy(c -> new WorkerKey(c.runId(), c.workerId()), WorkerKey.TYPE)
                .connect(acks.keyBy(a -> new WorkerKey(a.runId(), a.workerId()), WorkerKey.TYPE))
                .process(new AckTrackerFunction(cfg.ackTimeoutMs(), cfg.stateIdleTimeoutMs()))
                .name("ack-tracker").uid("ack-tracker");
        return new MonitorStreams(streams.stats(), streams.alerts().union(ackAlerts), streams.commands(),
                streams.deadLetters().union(acks.getSideOutput(Outputs.DEAD_LETTERS)));
    }

    /**
     * The topology between sources and sinks: statistics, and rules files that replace the rules in
     * force. Each step crosses the network once on its way to its worker's operator, keyed by (run,
     * worker) (raw, when the record key names them), and once more as a compact {@link StepNorms} to
     * its run's comparison across workers; the control policy reads the worker's decoded steps without
     * a second key-by.
     */
    public static MonitorStreams wire(DataStream<RawRecord> raw, DataStream<RawRecord> rulesRecords, MonitorConfig cfg) {
        SingleOutputStreamOperator<StatsEnvelope> keyed = raw
                .process(new RouteStatsFunction(), StatsEnvelopeSerializer.TYPE)
                .name("route-stats").uid("route-stats");
        // records whose key does not name the worker: decoded here, before the shuffle, to know where they go
        SingleOutputStreamOperator<StepStats> unkeyed = keyed.getSideOutput(RouteStatsFunction.UNKEYED)
                .process(new DecodeStatsFunction(), StepStatsSerializer.TYPE)
                .name("decode-stats").uid("decode-stats");
        DataStream<StatsEnvelope> envelopes = keyed.union(unkeyed
                .map(StatsEnvelope::decoded, StatsEnvelopeSerializer.TYPE)
                .name("decoded-stats").uid("decoded-stats"));

        SingleOutputStreamOperator<String> rulesFiles = rulesRecords
                .process(new DecodeRulesFunction())
                .name("decode-rules").uid("decode-rules");
        BroadcastStream<String> liveRules = rulesFiles.broadcast(LiveRulesState.DESCRIPTOR);
        RuleSet rules = cfg.rules();

        SingleOutputStreamOperator<Alert> workerAlerts = envelopes
                .keyBy(new WorkerKey.OfEnvelope(), WorkerKey.TYPE)
                .connect(liveRules)
                .process(new WorkerViewFunction(rules, cfg.clip(), cfg.escalation(), cfg.stateIdleTimeoutMs()))
                .name("worker-view").uid("worker-view");
        DataStream<StepStats> stats = workerAlerts.getSideOutput(WorkerViewFunction.STATS);
        DataStream<DeadLetter> deadLetters = unkeyed.getSideOutput(Outputs.DEAD_LETTERS)
                .union(workerAlerts.getSideOutput(Outputs.DEAD_LETTERS),
                        rulesFiles.getSideOutput(Outputs.DEAD_LETTERS));
        // the worker view emits each step under the key it was judged with: no second shuffle
        KeyedStream<StepStats, WorkerKey> byWorker =
                DataStreamUtils.reinterpretAsKeyedStream(stats, new WorkerKey.OfStats(), WorkerKey.TYPE);

        // every worker of a run meets here, step by step, to be compared with its peers layer by layer
        SingleOutputStreamOperator<Alert> divergenceAlerts = stats
                .map(StepNorms::of, StepNorms.TYPE)
                .name("step-norms").uid("step-norms")
                .keyBy(StepNorms::runId, Types.STRING)
                .connect(liveRules)
                .process(new RunDivergenceFunction(rules, cfg.stateIdleTimeoutMs()))
                .name("run-divergence").uid("run-divergence");

        // processing time: a silent worker closes no step window, so only a timer can notice it
        SingleOutputStreamOperator<Alert> stallAlerts = byWorker
                .process(new StallWatchFunction(cfg.stallTimeoutMs(), cfg.stateIdleTimeoutMs()))
                .name("stall-watch").uid("stall-watch");

        // the control policy runs in the worker view, where the step is judged: no hop before the command
        DataStream<ControlCommand> commands = workerAlerts.getSideOutput(WorkerViewFunction.COMMANDS);

        return new MonitorStreams(stats, workerAlerts.union(divergenceAlerts, stallAlerts), commands, deadLetters);
    }
}
