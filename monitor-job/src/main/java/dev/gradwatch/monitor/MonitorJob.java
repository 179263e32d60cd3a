package dev.gradwatch.monitor;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.DeadLetter;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.ingest.RawRecord;
import dev.gradwatch.events.ControlAck;
import dev.gradwatch.monitor.job.AckTrackerFunction;
import dev.gradwatch.monitor.job.ClipPolicyFunction;
import dev.gradwatch.monitor.job.DecodeAcksFunction;
import dev.gradwatch.monitor.job.DecodeRulesFunction;
import dev.gradwatch.monitor.job.DecodeStatsFunction;
import dev.gradwatch.monitor.job.SignCommandFunction;
import dev.gradwatch.monitor.job.LiveRulesState;
import dev.gradwatch.monitor.job.LayerKey;
import dev.gradwatch.monitor.job.LayerWindowFunction;
import dev.gradwatch.monitor.job.Outputs;
import dev.gradwatch.monitor.job.SplitLayers;
import dev.gradwatch.monitor.job.StallWatchFunction;
import dev.gradwatch.monitor.job.StepViewFunction;
import dev.gradwatch.monitor.job.WorkerKey;
import dev.gradwatch.monitor.job.RunLayerKey;
import dev.gradwatch.monitor.job.WorkerDivergenceFunction;
import dev.gradwatch.monitor.detect.LayerSample;
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
 * The GradWatch monitor job: stats topic → decode (dead letters aside) → per-layer step windows,
 * per-worker step view, per-(run, layer) comparison across workers and a processing-time stall watch
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

    /** The topology between sources and sinks: statistics, and rules files that replace the rules in force. */
    public static MonitorStreams wire(DataStream<RawRecord> raw, DataStream<RawRecord> rulesRecords, MonitorConfig cfg) {
        SingleOutputStreamOperator<StepStats> stats = raw
                .process(new DecodeStatsFunction())
                .name("decode-stats").uid("decode-stats");
        SingleOutputStreamOperator<String> rulesFiles = rulesRecords
                .process(new DecodeRulesFunction())
                .name("decode-rules").uid("decode-rules");
        DataStream<DeadLetter> deadLetters = stats.getSideOutput(Outputs.DEAD_LETTERS)
                .union(rulesFiles.getSideOutput(Outputs.DEAD_LETTERS));
        BroadcastStream<String> liveRules = rulesFiles.broadcast(LiveRulesState.DESCRIPTOR);

        KeyedStream<StepStats, WorkerKey> byWorker = stats.keyBy(new WorkerKey.OfStats(), WorkerKey.TYPE);
        RuleSet rules = cfg.rules();

        SingleOutputStreamOperator<Alert> stepAlerts = byWorker
                .connect(liveRules)
                .process(new StepViewFunction(rules, cfg.stateIdleTimeoutMs()))
                .name("step-view").uid("step-view");

        DataStream<LayerSample> layers = stats
                .flatMap(new SplitLayers())
                .name("split-layers").uid("split-layers");

        SingleOutputStreamOperator<Alert> layerAlerts = layers
                .keyBy(new LayerKey.OfSample(), LayerKey.TYPE)
                .connect(liveRules)
                .process(new LayerWindowFunction(rules, cfg.stateIdleTimeoutMs()))
                .name("layer-windows").uid("layer-windows");

        // every worker of a run meets here, per layer, to be compared with its peers step by step
        SingleOutputStreamOperator<Alert> divergenceAlerts = layers
                .keyBy(new RunLayerKey.OfSample(), RunLayerKey.TYPE)
                .connect(liveRules)
                .process(new WorkerDivergenceFunction(rules, cfg.stateIdleTimeoutMs()))
                .name("worker-divergence").uid("worker-divergence");

        // processing time: a silent worker closes no step window, so only a timer can notice it
        SingleOutputStreamOperator<Alert> stallAlerts = byWorker
                .process(new StallWatchFunction(cfg.stallTimeoutMs(), cfg.stateIdleTimeoutMs()))
                .name("stall-watch").uid("stall-watch");

        SingleOutputStreamOperator<ControlCommand> commands = byWorker
                .connect(liveRules)
                .process(new ClipPolicyFunction(cfg.clip(), cfg.escalation(), rules, cfg.stateIdleTimeoutMs()))
                .name("clip-policy").uid("clip-policy");

        return new MonitorStreams(stats, stepAlerts.union(layerAlerts, divergenceAlerts, stallAlerts), commands, deadLetters);
    }
}
