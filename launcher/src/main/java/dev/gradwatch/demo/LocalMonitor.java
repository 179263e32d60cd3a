package dev.gradwatch.demo;

import dev.gradwatch.monitor.MonitorConfig;
import dev.gradwatch.monitor.MonitorJob;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The monitor job running on an in-process Flink MiniCluster, for the demo and single-machine use. */
public final class LocalMonitor implements AutoCloseable {

    private final JobClient client;
    private final String bootstrapServers;
    private final String deadLetterTopic;

    private LocalMonitor(JobClient client, String bootstrapServers, String deadLetterTopic) {
        this.client = client;
        this.bootstrapServers = bootstrapServers;
        this.deadLetterTopic = deadLetterTopic;
    }

    /** Starts the job with default rules against the given Kafka, and waits until it runs. */
    public static LocalMonitor start(String bootstrapServers) throws Exception {
        return start(bootstrapServers, Map.of());
    }

    /** Starts the job against the given Kafka with some settings changed (keys of {@link MonitorConfig#KEYS}). */
    public static LocalMonitor start(String bootstrapServers, Map<String, String> settings) throws Exception {
        Map<String, String> values = new java.util.LinkedHashMap<>(settings);
        values.put("bootstrap.servers", bootstrapServers);
        return start(MonitorConfig.fromMap(values));
    }

    /** Parallelism of the job on the MiniCluster, with a task slot for each instance. */
    public static final int PARALLELISM = 2;

    public static LocalMonitor start(MonitorConfig config) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, PARALLELISM);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, conf);
        MonitorJob.build(env, config);
        JobClient client = env.executeAsync(MonitorJob.JOB_NAME);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (client.getJobStatus().get() != JobStatus.RUNNING) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("monitor job did not reach RUNNING");
            if (client.getJobStatus().get().isGloballyTerminalState()) {
                throw new IllegalStateException("monitor job ended: " + client.getJobStatus().get());
            }
            Thread.sleep(50);
        }
        return new LocalMonitor(client, config.bootstrapServers(), config.deadLetterTopic());
    }

    public JobID jobId() {
        return client.getJobID();
    }

    /** Records in the dead-letter topic, read from its end offsets. */
    public long deadLetters() {
        Map<String, Object> props = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            int partitions = admin.describeTopics(java.util.List.of(deadLetterTopic)).allTopicNames().get()
                    .get(deadLetterTopic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) latest.put(new TopicPartition(deadLetterTopic, p), OffsetSpec.latest());
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(i -> i.offset()).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            client.cancel().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // already finished or failed: nothing left to stop
        }
    }
}
