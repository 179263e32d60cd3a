package dev.gradwatch.demo;

import dev.gradwatch.alerting.AlertConsumer;
import dev.gradwatch.alerting.AlertFormatter;
import dev.gradwatch.embedded.EmbeddedKafkaBroker;
import dev.gradwatch.events.Alert;
import dev.gradwatch.events.CommandSigner;
import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;
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
import dev.gradwatch.events.Topics;
import dev.gradwatch.trainer.TrainerWorker;
import dev.gradwatch.trainer.train.Trainable;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The whole GradWatch loop in one JVM: a real Kafka broker, the monitor job on a Flink
 * MiniCluster, the alert printer, and three trainer workers (vanishing, exploding, healthy) that
 * train the model files {@code examples/models/demo-*.yaml} ({@link Scenario}).
 */
public final class Demo {

    /** How long and how fast the demo trainers run. */
    public record Options(long steps, double stepsPerSecond, Path summaryFile, boolean quiet) {
        public Options {
            if (steps < 50) throw new IllegalArgumentException("--steps must be at least 50, got " + steps);
            if (stepsPerSecond <= 0) throw new IllegalArgumentException("--steps-per-second must be > 0");
        }
    }

    static final String SELF_CHECK_RUN = "gradwatch-selfcheck";

    private final Options options;
    private final PrintStream out;
    private final Map<String, List<Alert>> alertsByRun = new ConcurrentHashMap<>();

    public Demo(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public DemoSummary run() throws Exception {
        long t0 = System.nanoTime();
        say("starting an in-process Kafka broker (KRaft) ...");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String bootstrap = broker.bootstrapServers();
            broker.createTopics(2, Topics.STATS, Topics.STATS_DEAD_LETTER, Topics.ALERTS, Topics.CONTROL, Topics.ACKS);
            say("  broker up at " + bootstrap + " after " + seconds(t0) + " s");

            say("starting the monitor job on a Flink MiniCluster ...");
            // commands are signed with a key made for this demo; the trainers obey only that key
            String commandKeys = CommandSigner.randomKeySpec("demo");
            try (LocalMonitor monitor = LocalMonitor.start(bootstrap, Map.of("command.keys", commandKeys))) {
                say("  job " + monitor.jobId() + " running after " + seconds(t0) + " s");

                try (AlertConsumer alerts = new AlertConsumer(bootstrap, Topics.ALERTS, "gradwatch-demo-printer",
                        this::onAlert);
                     AckWatcher acks = new AckWatcher(bootstrap, Topics.ACKS, this::onAck)) {
                    alerts.awaitSubscribed(30, TimeUnit.SECONDS);
                    selfCheck(bootstrap);
                    Map<Scenario, TrainerWorker> workers = startWorkers(bootstrap, CommandSigner.parse(commandKeys));
                    say("three trainers running " + options.steps() + " steps each at "
                            + options.stepsPerSecond() + " steps/s; alerts print as they arrive");
                    LiveView view = new LiveView(workers, alertsByRun, out);
                    waitForWorkers(workers, view);
                    // the last steps' windows still travel through the job: let their alerts arrive
                    awaitQuiet(Duration.ofSeconds(3), Duration.ofSeconds(15));
                    view.print();
                    DemoSummary summary = summarize(workers, acks.acks());
                    say("alerts: " + alerts.delivered() + " distinct, " + alerts.duplicates()
                            + " duplicates dropped; dead letters: " + monitor.deadLetters());
                    say("finished in " + seconds(t0) + " s");
                    return summary;
                }
            }
        }
    }

    /**
     * Sends one step with a NaN loss for a self-check run and waits for its alert to come back
     * through the job and the alert consumer, like Alertmanager's always-firing watchdog, and for the
     * clip command the job sends for it on the control topic: it proves both loops work, and the
     * trainers start on a warmed-up pipeline (a cold job's first command is slow; the
     * self-check line prints how long it took).
     * The record is keyed {@code run/worker} as a trainer's is, so it takes the trainers' route. No
     * trainer acknowledges the command; the job's command_unacknowledged alert for the self-check run
     * is not printed.
     */
    private void selfCheck(String bootstrap) throws Exception {
        long t0 = System.nanoTime();
        try (KafkaConsumer<String, byte[]> control = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            List<TopicPartition> partitions = control.partitionsFor(Topics.CONTROL).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            control.assign(partitions);
            control.seekToEnd(partitions);
            for (TopicPartition tp : partitions) control.position(tp);

            StepStats probe = new StepStats(SELF_CHECK_RUN, "selfcheck", 0, System.currentTimeMillis(), Double.NaN, 0.0,
                    Double.POSITIVE_INFINITY, List.of(new LayerStats(0, "selfcheck", "dense/linear", 1, 1.0, 1.0, 1.0,
                    0, 0.0, 1.0, 0.0)));
            p.send(new ProducerRecord<>(Topics.STATS, SELF_CHECK_RUN + "/selfcheck", EventCodec.encode(probe))).get();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long alertNs = -1;
            long commandNs = -1;
            while (alertNs < 0 || commandNs < 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("self-check: no " + (alertNs < 0 ? "alert" : "control command")
                            + " came back through the monitor job within 60 s");
                }
                if (alertNs < 0 && !alertsByRun.getOrDefault(SELF_CHECK_RUN, List.of()).isEmpty()) {
                    alertNs = System.nanoTime();
                }
                if (commandNs < 0) {
                    for (ConsumerRecord<String, byte[]> r : control.poll(Duration.ofMillis(10))) {
                        if (SELF_CHECK_RUN.equals(EventCodec.decode(r.value(), ControlCommand.class).runId())) {
                            commandNs = System.nanoTime();
                        }
                    }
                } else {
                    // only the alert is still on its way: wait without taking a core from what delivers it
                    Thread.sleep(10);
                }
            }
            say(String.format(Locale.ROOT, "  self-check: a NaN step came back as an alert in %.0f ms and as a clip"
                    + " command in %.0f ms", (alertNs - t0) / 1e6, (commandNs - t0) / 1e6));
        }
    }

    private Map<Scenario, TrainerWorker> startWorkers(String bootstrap, CommandSigner keys) throws InterruptedException {
        Map<Scenario, TrainerWorker> workers = new EnumMap<>(Scenario.class);
        for (Scenario s : Scenario.values()) {
            TrainerWorker w = new TrainerWorker(new TrainerWorker.Config(bootstrap, Topics.STATS, Topics.CONTROL,
                    Topics.ACKS, runId(s), "w0", Trainable.Factory.of(s.modelFile().withSteps(options.steps())),
                    options.steps(), options.stepsPerSecond(), 10_000, keys, s.modelFile().labels()), null);
            w.connect();
            workers.put(s, w);
        }
        for (Map.Entry<Scenario, TrainerWorker> e : workers.entrySet()) {
            Thread t = new Thread(e.getValue(), "trainer-" + e.getKey().label());
            t.setDaemon(true);
            t.start();
        }
        return workers;
    }

    static String runId(Scenario s) {
        return "demo-" + s.label();
    }

    private void waitForWorkers(Map<Scenario, TrainerWorker> workers, LiveView view) throws InterruptedException {
        long lastPrint = System.nanoTime();
        while (workers.values().stream().anyMatch(w -> !w.finished())) {
            Thread.sleep(100);
            if (!options.quiet() && System.nanoTime() - lastPrint > TimeUnit.SECONDS.toNanos(2)) {
                view.print();
                lastPrint = System.nanoTime();
            }
        }
    }

    private void awaitQuiet(Duration quiet, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        int last = -1;
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int n = alertsByRun.entrySet().stream().filter(e -> !SELF_CHECK_RUN.equals(e.getKey()))
                    .mapToInt(e -> e.getValue().size()).sum();
            if (n != last) {
                last = n;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > quiet.toNanos()) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private void onAlert(Alert a) {
        if (SELF_CHECK_RUN.equals(a.runId())) {
            alertsByRun.computeIfAbsent(a.runId(), k -> new CopyOnWriteArrayList<>()).add(a);
            return;
        }
        alertsByRun.computeIfAbsent(a.runId(), k -> new CopyOnWriteArrayList<>()).add(a);
        if (!options.quiet()) out.print(AlertFormatter.format(a));
    }

    private void onAck(ControlAck ack) {
        if (!options.quiet()) {
            out.println("[control] " + ack.runId() + "/" + ack.workerId() + (ack.applied() ? " applied " : " rejected ")
                    + ack.commandId() + " at step " + ack.step() + ": " + ack.detail());
        }
    }

    private DemoSummary summarize(Map<Scenario, TrainerWorker> workers, List<ControlAck> acks) {
        List<DemoSummary.Run> runs = new ArrayList<>();
        for (Map.Entry<Scenario, TrainerWorker> e : workers.entrySet()) {
            TrainerWorker w = e.getValue();
            List<DemoSummary.AlertSeen> alerts = alertsByRun.getOrDefault(runId(e.getKey()), List.of()).stream()
                    .filter(a -> Alert.FIRING.equals(a.status()))
                    .map(a -> new DemoSummary.AlertSeen(a.rule(), a.severity().name(),
                            a.layerIndex() >= 0 ? a.layerName() : null, a.step()))
                    .toList();
            List<DemoSummary.ControlApplied> applied = w.appliedControls().stream()
                    .map(c -> new DemoSummary.ControlApplied(c.type().name(), c.value(), c.step()))
                    .toList();
            runs.add(new DemoSummary.Run(runId(e.getKey()), e.getKey().label(), w.stepsDone(), w.lastLoss(),
                    alerts, applied, acks.stream().filter(a -> a.runId().equals(runId(e.getKey())))
                            .filter(ControlAck::applied).map(ControlAck::commandId).toList(),
                    w.rejectedCommands(),
                    w.published(), w.droppedStats(), w.skippedSteps()));
        }
        return new DemoSummary(runs);
    }

    /** Writes the summary as JSON (non-finite numbers as strings, like every GradWatch record). */
    public static void writeSummary(DemoSummary summary, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.write(file, EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(summary));
    }

    private void say(String line) {
        out.println(line);
    }

    private static String seconds(long t0) {
        return String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9);
    }
}
