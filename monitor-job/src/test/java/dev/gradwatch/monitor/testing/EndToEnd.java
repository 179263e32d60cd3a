package dev.gradwatch.monitor.testing;

import dev.gradwatch.embedded.EmbeddedKafkaBroker;
import dev.gradwatch.events.Alert;
import dev.gradwatch.events.DecodeException;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.MonitorConfig;
import dev.gradwatch.monitor.MonitorJob;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What the end-to-end tests share: a config on topics of their own, the job on a local MiniCluster
 * at parallelism 2, a producer for statistics, decoding of the alerts topic, and the job's counters
 * read through an in-memory metric reporter.
 */
public final class EndToEnd {

    private EndToEnd() {
    }

    /** A config on topics named after {@code prefix} (2 partitions each), with {@code more} keys on top. */
    public static MonitorConfig topics(EmbeddedKafkaBroker broker, String prefix, Map<String, String> more) {
        MonitorConfig cfg = MonitorConfig.defaults().with(Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "group.id", prefix + "-monitor",
                "topic.stats", prefix + "-stats",
                "topic.alerts", prefix + "-alerts",
                "topic.control", prefix + "-control",
                "topic.dead-letter", prefix + "-dlq")).with(more);
        broker.createTopics(2, cfg.statsTopic(), cfg.alertsTopic(), cfg.controlTopic(), cfg.deadLetterTopic());
        return cfg;
    }

    /** MiniCluster settings: REST on a free port, Kryo and generated operator ids forbidden. */
    public static Configuration miniCluster() {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        return conf;
    }

    /** The job on the config's Kafka topics, on a local MiniCluster at parallelism 2. */
    public static JobClient start(MonitorConfig cfg, Configuration conf) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        MonitorJob.build(env, cfg);
        return env.executeAsync(MonitorJob.JOB_NAME);
    }

    public static KafkaProducer<String, byte[]> producer(EmbeddedKafkaBroker broker) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(p);
    }

    /** Publishes a step keyed by its run, as trainers do: one run's steps keep their order on one partition. */
    public static void publish(KafkaProducer<String, byte[]> producer, String topic, StepStats s) {
        producer.send(new ProducerRecord<>(topic, s.runId(), EventCodec.encode(s)));
    }

    public static List<Alert> alerts(List<ConsumerRecord<String, byte[]>> records) {
        List<Alert> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                out.add(EventCodec.decode(r.value(), Alert.class));
            } catch (DecodeException e) {
                throw new AssertionError("not a valid alert: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Sum of a counter over every operator instance of the job that registers it under this name. */
    public static long counter(InMemoryReporter reporter, JobID job, String name) {
        long sum = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> g : reporter.getMetricsByGroup().entrySet()) {
            if (!job.toString().equals(g.getKey().getAllVariables().get("<job_id>"))) continue;
            if (g.getValue().get(name) instanceof Counter c) sum += c.getCount();
        }
        return sum;
    }
}
