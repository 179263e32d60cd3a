package dev.gradwatch.bench;

import dev.gradwatch.alerting.AlertConsumer;
import dev.gradwatch.demo.LocalMonitor;
import dev.gradwatch.embedded.EmbeddedKafkaBroker;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.DecodeException;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.events.Topics;
import dev.gradwatch.monitor.MonitorConfig;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.job.StateSizes;
import dev.gradwatch.monitor.job.WorkerKey;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Replays synthetic trainers through a real in-process broker and the real monitor job on a
 * MiniCluster, and measures (1) how many layer statistics per second the job gets through, and
 * (2) the reaction latency from a trainer publishing a step with a non-finite gradient to that
 * trainer's control topic holding the clip command, while a background load runs.
 */
public final class PipelineBench {

    /** What to run. */
    public record Options(int layersPerStep, int workers, int throughputSteps, int latencySamples,
                          int backgroundLayerStatsPerSecond, String compression) {
    }

    /** The figures, for {@code --json}. */
    public record Result(int layersPerStep, String compression, long layerStatsSent, double throughputSeconds,
                         double layerStatsPerSecond, double recordBytesMean, double cpuMicrosPerLayerStat,
                         double layerStatsPerSecondOnIdleCores, double brokerAloneLayerStatsPerSecond,
                         double brokerAloneMegabytesPerSecond, double brokerAloneLayerStatsPerSecondOnIdleCores,
                         int latencySamples,
                         int latencyMissing, double backgroundLayerStatsPerSecond, double reactionP50Ms,
                         double reactionP99Ms, double reactionMaxMs, long workerViewStateBytesPerKey,
                         long runDivergenceStateBytesPerKey, int cores) {
    }

    private static final int PARTITIONS = 2;
    /** Parallelism of the job on the local MiniCluster ({@link LocalMonitor}). */
    private static final int PARALLELISM = LocalMonitor.PARALLELISM;

    private final Options o;
    private final PrintStream out;

    public PipelineBench(Options options, PrintStream out) {
        this.o = options;
        this.out = out;
    }

    public Result run() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String bootstrap = broker.bootstrapServers();
            broker.createTopics(PARTITIONS, Topics.STATS, Topics.STATS_DEAD_LETTER, Topics.ALERTS, Topics.CONTROL,
                    CEILING_TOPIC);
            Encoded tpRecords = encode("bench-tp", new SplittableRandom(2));
            double[] ceiling;
            try (LocalMonitor monitor = LocalMonitor.start(bootstrap);
                 KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
                Map<String, Long> markerAlerts = new ConcurrentHashMap<>();
                try (AlertConsumer alerts = new AlertConsumer(bootstrap, Topics.ALERTS, "bench",
                        a -> { if (a.runId().startsWith("bench-marker")) markerAlerts.putIfAbsent(a.runId(), System.nanoTime()); })) {
                    alerts.awaitSubscribed(30, TimeUnit.SECONDS);
                    warmUp(producer, markerAlerts);
                    double[] tp = throughput(producer, markerAlerts, tpRecords);
                    out.printf(java.util.Locale.ROOT, "throughput: %,d layer statistics (%d per step) in %.2f s = %,.0f layer statistics/s (%,.0f steps/s, mean record %.0f bytes); CPU %.2f s = %.1f µs per layer statistic, %,.0f layer statistics/s if this JVM had the %d cores to itself%n",
                            (long) tp[0], o.layersPerStep(), tp[1], tp[0] / tp[1], tp[0] / o.layersPerStep() / tp[1], tp[2],
                            tp[3], tp[3] * 1e6 / tp[0], tp[0] / tp[3] * cores(), cores());
                    double[] lat = latency(bootstrap, producer);
                    out.printf(java.util.Locale.ROOT, "reaction (publish a NaN step -> clip command on the control topic) under %,.0f layer statistics/s background: p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d samples (%d missing)%n",
                            lat[5], lat[0], lat[1], lat[2], (int) lat[3], (int) lat[4]);
                    long[] state = stateBytes();
                    monitor.close();
                    // last, on a warm JVM and with the job gone: the same records through the broker alone (to a
                    // topic of their own, which nothing else reads), not a second encoded copy of them
                    ceiling = brokerAlone(bootstrap, producer, tpRecords);
                    out.printf(java.util.Locale.ROOT, "broker alone (the same records produced and consumed, no job): %,.0f layer statistics/s (%,.0f records/s, %.1f MB/s of JSON); CPU %.1f µs per layer statistic, %,.0f layer statistics/s on %d idle cores; compression %s%n",
                            ceiling[0] * o.layersPerStep(), ceiling[0], ceiling[1], ceiling[2] * 1e6 / ceiling[3],
                            ceiling[3] / ceiling[2] * cores(), cores(), o.compression());
                    out.printf(java.util.Locale.ROOT, "state per key (checkpointed bytes after %d steps of %d layers): worker view (run, worker) %,d B; comparison across workers (run, %d workers) %,d B%n",
                            STATE_STEPS, o.layersPerStep(), state[0], o.workers(), state[1]);
                    return new Result(o.layersPerStep(), o.compression(), (long) tp[0], tp[1], tp[0] / tp[1], tp[2],
                            tp[3] * 1e6 / tp[0], tp[0] / tp[3] * cores(),
                            ceiling[0] * o.layersPerStep(), ceiling[1], ceiling[3] / ceiling[2] * cores(), (int) lat[3],
                            (int) lat[4], lat[5], lat[0], lat[1], lat[2], state[0], state[1],
                            cores());
                }
            }
        }
    }

    /** Steps replayed into one key of each keyed view to weigh its state: past every window and the comparison's lag. */
    private static final int STATE_STEPS = 200;

    /** {bytes of a worker-view key, bytes of a run-divergence key} after {@link #STATE_STEPS} healthy steps. */
    private long[] stateBytes() throws java.io.IOException {
        SplittableRandom rng = new SplittableRandom(4);
        List<StepStats> oneWorker = new ArrayList<>();
        List<StepStats> fleet = new ArrayList<>();
        for (int s = 0; s < STATE_STEPS; s++) {
            oneWorker.add(healthyStep("bench-state", "w0", s, rng));
            for (int w = 0; w < o.workers(); w++) fleet.add(healthyStep("bench-state", "w" + w, s, rng));
        }
        DetectorConfig cfg = MonitorConfig.defaults().rules().forRun("bench-state");
        return new long[]{StateSizes.workerView(cfg, oneWorker), StateSizes.runDivergence(cfg, fleet)};
    }

    private static final String CEILING_TOPIC = "bench-ceiling";

    /** The throughput phase's records, encoded before the clock starts. */
    private record Encoded(String[] keys, byte[][] values, long bytes) {
    }

    /**
     * The records are encoded before the clock starts and held until sent: refuse, before spending
     * minutes on it, a run whose records would not fit in half the heap, and say what to change.
     */
    private static void requireHeapFor(int records, int recordBytes) {
        long needed = (long) records * (recordBytes + 64);
        long heap = Runtime.getRuntime().maxMemory();
        if (needed > heap / 2) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "--steps %d holds about %d MB of encoded records, more than half of this JVM's %d MB heap: "
                            + "give it more (GRADWATCH_JAVA_OPTS=-Xmx%dg) or lower --steps",
                    records, needed >> 20, heap >> 20, Math.max(2, (3 * needed >> 30) + 1)));
        }
    }

    private Encoded encode(String run, SplittableRandom rng) {
        // encode first, so that the figure is the pipeline's and not this loop's JSON writer
        int n = o.throughputSteps();
        requireHeapFor(n, EventCodec.encode(healthyStep(run, "w0", 0, new SplittableRandom(0))).length);
        byte[][] values = new byte[n][];
        String[] keys = new String[n];
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            int w = i % o.workers();
            long step = i / o.workers();
            // keyed run/worker, as the trainers' StatsPublisher keys them
            keys[i] = run + "/w" + w;
            values[i] = EventCodec.encode(healthyStep(run, "w" + w, step, rng));
            bytes += values[i].length;
        }
        return new Encoded(keys, values, bytes);
    }

    /**
     * The ceiling: the same records produced to a topic of their own and consumed back by one consumer
     * reading both partitions, with no job. Returns {records per second, MB of JSON per second, CPU
     * seconds spent, layer statistics sent}.
     */
    private double[] brokerAlone(String bootstrap, KafkaProducer<String, byte[]> producer, Encoded records)
            throws Exception {
        int n = records.values().length;
        AtomicLong consumed = new AtomicLong();
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
        Thread consumer = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++) parts.add(new TopicPartition(CEILING_TOPIC, p));
                c.assign(parts);
                c.seekToBeginning(parts);
                for (TopicPartition tp : parts) c.position(tp);
                ready.countDown();
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                while (consumed.get() < n && System.nanoTime() < deadline) {
                    consumed.addAndGet(c.poll(Duration.ofMillis(100)).count());
                }
            }
        }, "bench-ceiling-consumer");
        consumer.start();
        ready.await(30, TimeUnit.SECONDS);
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) producer.send(new ProducerRecord<>(CEILING_TOPIC, records.keys()[i], records.values()[i]));
        producer.flush();
        consumer.join();
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
        if (consumed.get() < n) throw new IllegalStateException("the ceiling consumer read " + consumed.get() + " of " + n);
        return new double[]{n / seconds, records.bytes() / 1e6 / seconds, cpuSeconds, (double) n * o.layersPerStep()};
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    private KafkaProducer<String, byte[]> producer(String bootstrap) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, o.compression());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private StepStats healthyStep(String run, String worker, long step, SplittableRandom rng) {
        List<LayerStats> layers = new ArrayList<>(o.layersPerStep());
        for (int l = 0; l < o.layersPerStep(); l++) {
            double norm = 0.5 + rng.nextDouble();
            layers.add(new LayerStats(l, "dense" + l, "dense/relu", 4160, norm, norm / 60, norm / 5, 0,
                    0.01, 8 + rng.nextDouble(), 1e-3 * (0.5 + rng.nextDouble())));
        }
        return new StepStats(run, worker, step, System.currentTimeMillis(), 1.0 / (1 + step * 0.01), 0.01,
                Double.POSITIVE_INFINITY, layers);
    }

    private StepStats nanStep(String run, String worker, long step) {
        List<LayerStats> layers = new ArrayList<>(o.layersPerStep());
        for (int l = 0; l < o.layersPerStep(); l++) {
            boolean bad = l == o.layersPerStep() / 2;
            layers.add(new LayerStats(l, "dense" + l, "dense/relu", 4160, bad ? Double.NaN : 1.0, 0.02, 0.2,
                    bad ? 3 : 0, 0.0, 8, 1e-3));
        }
        return new StepStats(run, worker, step, System.currentTimeMillis(), 1.0, 0.01, Double.POSITIVE_INFINITY, layers);
    }

    /**
     * Markers on every partition, their runs chosen so that each partition has one for every parallel
     * instance of the worker view: each marker's alert says that instance has read that partition that far.
     */
    private void sendMarkers(KafkaProducer<String, byte[]> producer, String tag) {
        markerRuns(tag).forEach((run, p) ->
                producer.send(new ProducerRecord<>(Topics.STATS, p, run + "/m", EventCodec.encode(nanStep(run, "m", 0)))));
        producer.flush();
    }

    /**
     * Marker runs {@code bench-marker-TAG-PARTITION.N}, one per (partition, worker-view instance), each
     * with the partition it goes to, in order.
     */
    private static Map<String, Integer> markerRuns(String tag) {
        Map<String, Integer> runs = new LinkedHashMap<>();
        int maxParallelism = org.apache.flink.runtime.state.KeyGroupRangeAssignment.computeDefaultMaxParallelism(PARALLELISM);
        for (int p = 0; p < PARTITIONS; p++) {
            java.util.Set<Integer> covered = new java.util.HashSet<>();
            for (int n = 0; covered.size() < PARALLELISM; n++) {
                String run = "bench-marker-" + tag + "-" + p + "." + n;
                int instance = org.apache.flink.runtime.state.KeyGroupRangeAssignment.assignKeyToParallelOperator(
                        new WorkerKey(run, "m"), maxParallelism, PARALLELISM);
                if (covered.add(instance)) runs.put(run, p);
            }
        }
        return runs;
    }

    private void awaitMarkers(Map<String, Long> seen, String tag) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        java.util.Set<String> markers = markerRuns(tag).keySet();
        while (!seen.keySet().containsAll(markers)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("markers " + tag + " never came back");
            Thread.sleep(2);
        }
    }

    private void warmUp(KafkaProducer<String, byte[]> producer, Map<String, Long> seen) throws InterruptedException {
        SplittableRandom rng = new SplittableRandom(1);
        for (int s = 0; s < 200; s++) {
            for (int w = 0; w < o.workers(); w++) {
                producer.send(new ProducerRecord<>(Topics.STATS, "bench-warm/w" + w,
                        EventCodec.encode(healthyStep("bench-warm", "w" + w, s, rng))));
            }
        }
        sendMarkers(producer, "warm");
        awaitMarkers(seen, "warm");
    }

    /**
     * Returns {layer statistics sent, seconds until the job had read them all, mean record bytes, CPU
     * seconds this JVM (broker, job, producer) spent meanwhile}. The CPU time says what the pipeline
     * costs even when other processes share the cores and the wall-clock rate means little.
     */
    private double[] throughput(KafkaProducer<String, byte[]> producer, Map<String, Long> seen, Encoded records)
            throws InterruptedException {
        int n = records.values().length;
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) producer.send(new ProducerRecord<>(Topics.STATS, records.keys()[i], records.values()[i]));
        sendMarkers(producer, "tp");
        awaitMarkers(seen, "tp");
        long end = seen.entrySet().stream().filter(e -> e.getKey().startsWith("bench-marker-tp-"))
                .mapToLong(Map.Entry::getValue).max().orElseThrow();
        double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
        return new double[]{(double) n * o.layersPerStep(), (end - t0) / 1e9, (double) records.bytes() / n, cpuSeconds};
    }

    /** Returns {p50, p99, max (ms), samples, missing, background layer statistics per second achieved}. */
    private double[] latency(String bootstrap, KafkaProducer<String, byte[]> producer) throws Exception {
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> gotAt = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread listener = controlListener(bootstrap, sentAt, gotAt, stop);
        AtomicLong backgroundLayers = new AtomicLong();
        Thread background = backgroundLoad(producer, backgroundLayers, stop);
        Thread.sleep(1_000); // let the background load reach its pace
        long bgStart = backgroundLayers.get();
        long t0 = System.nanoTime();
        for (int i = 0; i < o.latencySamples(); i++) {
            String worker = "r" + i;
            byte[] value = EventCodec.encode(nanStep("bench-react", worker, 0));
            sentAt.put(worker, System.nanoTime());
            producer.send(new ProducerRecord<>(Topics.STATS, "bench-react/" + worker, value));
            producer.flush();
            Thread.sleep(50);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gotAt.size() < o.latencySamples() && System.nanoTime() < deadline) Thread.sleep(10);
        double bgRate = (backgroundLayers.get() - bgStart) / ((System.nanoTime() - t0) / 1e9);
        stop.set(true);
        background.join();
        listener.join();
        double[] ms = gotAt.entrySet().stream()
                .mapToDouble(e -> (e.getValue() - sentAt.get(e.getKey())) / 1e6).sorted().toArray();
        if (ms.length == 0) throw new IllegalStateException("no clip command came back");
        return new double[]{quantile(ms, 0.50), quantile(ms, 0.99), ms[ms.length - 1], ms.length,
                o.latencySamples() - ms.length, bgRate};
    }

    private Thread controlListener(String bootstrap, Map<String, Long> sentAt, Map<String, Long> gotAt,
                                   AtomicBoolean stop) throws InterruptedException {
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
        Thread t = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5), new StringDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++) parts.add(new TopicPartition(Topics.CONTROL, p));
                c.assign(parts);
                c.seekToEnd(parts);
                for (TopicPartition tp : parts) c.position(tp);
                ready.countDown();
                while (!stop.get()) {
                    for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(20))) {
                        long now = System.nanoTime();
                        try {
                            ControlCommand cmd = EventCodec.decode(r.value(), ControlCommand.class);
                            if ("bench-react".equals(cmd.runId()) && sentAt.containsKey(cmd.workerId())) {
                                gotAt.putIfAbsent(cmd.workerId(), now);
                            }
                        } catch (DecodeException e) {
                            // not ours
                        }
                    }
                }
            }
        }, "bench-control");
        t.start();
        ready.await(30, TimeUnit.SECONDS);
        return t;
    }

    private Thread backgroundLoad(KafkaProducer<String, byte[]> producer, AtomicLong layersSent, AtomicBoolean stop) {
        Thread t = new Thread(() -> {
            SplittableRandom rng = new SplittableRandom(3);
            double stepsPerSecond = (double) o.backgroundLayerStatsPerSecond() / o.layersPerStep();
            long period = (long) (1e9 / stepsPerSecond);
            long next = System.nanoTime();
            long[] steps = new long[o.workers()];
            int w = 0;
            while (!stop.get()) {
                producer.send(new ProducerRecord<>(Topics.STATS, "bench-bg/w" + w,
                        EventCodec.encode(healthyStep("bench-bg", "w" + w, steps[w]++, rng))));
                layersSent.addAndGet(o.layersPerStep());
                w = (w + 1) % o.workers();
                next += period;
                long wait = next - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
            }
        }, "bench-background");
        t.start();
        return t;
    }

    static double quantile(double[] sorted, double q) {
        // nearest rank
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
}
