package dev.gradwatch.monitor;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.DeadLetter;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.ingest.RawRecord;
import dev.gradwatch.monitor.job.ClipPolicyFunction;
import dev.gradwatch.monitor.job.DecodeStatsFunction;
import dev.gradwatch.monitor.job.LayerKey;
import dev.gradwatch.monitor.job.LayerWindowFunction;
import dev.gradwatch.monitor.job.Outputs;
import dev.gradwatch.monitor.job.SplitLayers;
import dev.gradwatch.monitor.job.StepViewFunction;
import dev.gradwatch.monitor.job.WorkerKey;
import dev.gradwatch.monitor.job.RunLayerKey;
import dev.gradwatch.monitor.job.WorkerDivergenceFunction;
import dev.gradwatch.monitor.detect.LayerSample;
import dev.gradwatch.monitor.rules.RuleSet;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.Arrays;

/**
 * The GradWatch monitor job: stats topic → decode (dead letters aside) → per-layer step windows,
 * per-worker step view and per-(run, layer) comparison across workers → alerts; per-worker clip
 * policy → control commands.
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

        DataStream<RawRecord> raw = env
                .fromSource(io.stats(), WatermarkStrategy.noWatermarks(), "stats-source",
                        TypeInformation.of(RawRecord.class))
                .uid("stats-source");
        MonitorStreams streams = wire(raw, cfg);
        streams.alerts().sinkTo(io.alerts()).name("alerts-sink").uid("alerts-sink");
        streams.commands().sinkTo(io.commands()).name("commands-sink").uid("commands-sink");
        streams.deadLetters().sinkTo(io.deadLetters()).name("dead-letters-sink").uid("dead-letters-sink");
        return streams;
    }

    /** The topology between source and sinks. */
    public static MonitorStreams wire(DataStream<RawRecord> raw, MonitorConfig cfg) {
        SingleOutputStreamOperator<StepStats> stats = raw
                .process(new DecodeStatsFunction())
                .name("decode-stats").uid("decode-stats");
        DataStream<DeadLetter> deadLetters = stats.getSideOutput(Outputs.DEAD_LETTERS);

        KeyedStream<StepStats, WorkerKey> byWorker = stats.keyBy(new WorkerKey.OfStats(), WorkerKey.TYPE);
        RuleSet rules = cfg.rules();

        SingleOutputStreamOperator<Alert> stepAlerts = byWorker
                .process(new StepViewFunction(rules, cfg.stateIdleTimeoutMs()))
                .name("step-view").uid("step-view");

        DataStream<LayerSample> layers = stats
                .flatMap(new SplitLayers())
                .name("split-layers").uid("split-layers");

        SingleOutputStreamOperator<Alert> layerAlerts = layers
                .keyBy(new LayerKey.OfSample(), LayerKey.TYPE)
                .process(new LayerWindowFunction(rules, cfg.stateIdleTimeoutMs()))
                .name("layer-windows").uid("layer-windows");

        // every worker of a run meets here, per layer, to be compared with its peers step by step
        SingleOutputStreamOperator<Alert> divergenceAlerts = layers
                .keyBy(new RunLayerKey.OfSample(), RunLayerKey.TYPE)
                .process(new WorkerDivergenceFunction(rules, cfg.stateIdleTimeoutMs()))
                .name("worker-divergence").uid("worker-divergence");

        SingleOutputStreamOperator<ControlCommand> commands = byWorker
                .process(new ClipPolicyFunction(cfg.clip(), rules, cfg.stateIdleTimeoutMs()))
                .name("clip-policy").uid("clip-policy");

        return new MonitorStreams(stats, stepAlerts.union(layerAlerts, divergenceAlerts), commands, deadLetters);
    }
}
