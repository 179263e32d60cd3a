package dev.gradwatch.trainer.kafka;

import dev.gradwatch.events.CommandSigner;
import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.DecodeException;
import dev.gradwatch.events.EventCodec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the control topic for one worker and hands the commands addressed to it to the training
 * thread, which applies them between steps (see {@link #poll()}).
 *
 * <p>The listener assigns itself every partition of the topic from its end (no consumer group,
 * so no rebalance delays the first command). Commands for other runs or workers are skipped.
 * With keys configured, a command must carry a valid HMAC signature ({@link CommandSigner}):
 * unsigned, unknown-key and forged commands are refused before anything else is read from them.
 * A command whose id was seen before is a duplicate of an at-least-once delivery (the monitor
 * re-sends what it emitted after its last checkpoint when it restarts): it is never applied twice,
 * but it is handed on marked {@link Received#duplicate()} so that the worker acknowledges it again
 * with the outcome of the first delivery ({@link #outcomeOf}), and counted. An expired command, one whose sequence number is not after the last one accepted (a replay),
 * and a record that cannot be decoded are refused. Each outcome is counted.
 */
public final class ControlListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlListener.class);
    private static final int REMEMBERED_IDS = 4096;

    private final Consumer<String, byte[]> consumer;
    private final String topic;
    private final String runId;
    private final String workerId;
    private final Clock clock;
    private final Queue<Received> inbox = new ConcurrentLinkedQueue<>();
    // command id -> the ack the worker sent for it (null until it has answered)
    private final Map<String, ControlAck> seenIds = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ControlAck> eldest) {
            return size() > REMEMBERED_IDS;
        }
    };
    private final Thread thread;
    private final CountDownLatch assigned = new CountDownLatch(1);
    private volatile boolean running = true;

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong rejectedUnsigned = new AtomicLong();
    private final AtomicLong rejectedForged = new AtomicLong();
    private final AtomicLong rejectedExpired = new AtomicLong();
    private final AtomicLong rejectedReplayed = new AtomicLong();
    private final CommandSigner verifier;
    private long lastAcceptedSeq = Long.MIN_VALUE;

    /**
     * A command accepted for this worker, rejected with a reason that must be acknowledged, or a
     * redelivery of one seen before ({@code duplicate}), to be acknowledged again and not applied.
     */
    public record Received(ControlCommand command, String rejection, boolean duplicate) {
        public Received(ControlCommand command, String rejection) {
            this(command, rejection, false);
        }

        public boolean rejected() {
            return rejection != null;
        }
    }

    /**
     * @param verifier the keys commands must be signed with, or null to accept unsigned commands
     *                 (for a monitor deployed without {@code command.keys})
     */
    public ControlListener(String bootstrapServers, String topic, String runId, String workerId,
                           CommandSigner verifier) {
        this(new KafkaConsumer<>(consumerProps(bootstrapServers), new StringDeserializer(), new ByteArrayDeserializer()),
                topic, runId, workerId, Clock.systemUTC(), verifier);
    }

    ControlListener(Consumer<String, byte[]> consumer, String topic, String runId, String workerId, Clock clock,
                    CommandSigner verifier) {
        this.verifier = verifier;
        this.consumer = consumer;
        this.topic = topic;
        this.runId = runId;
        this.workerId = workerId;
        this.clock = clock;
        this.thread = new Thread(this::run, "gradwatch-control-" + workerId);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    static Properties consumerProps(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        return p;
    }

    /** Waits until the listener reads the topic, so that no command sent after this is missed. */
    public boolean awaitAssigned(Duration timeout) throws InterruptedException {
        return assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            while (running && partitions.isEmpty()) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos != null) for (PartitionInfo pi : infos) partitions.add(new TopicPartition(topic, pi.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            for (TopicPartition tp : partitions) consumer.position(tp); // resolve the end offsets now
            assigned.countDown();
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) handle(r.value());
            }
        } catch (WakeupException e) {
            // close() woke us
        } catch (RuntimeException e) {
            if (running) LOG.warn("control listener for {}/{} stopped: {}", runId, workerId, e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    void handle(byte[] value) {
        ControlCommand c;
        try {
            c = EventCodec.decode(value, ControlCommand.class);
        } catch (DecodeException e) {
            undecodable.incrementAndGet();
            LOG.warn("undecodable control record: {}", e.getMessage());
            return;
        }
        if (!c.addresses(runId, workerId)) return;
        if (verifier != null) {
            CommandSigner.Verdict v = verifier.verify(c);
            if (v != CommandSigner.Verdict.VALID) {
                (v == CommandSigner.Verdict.UNSIGNED ? rejectedUnsigned : rejectedForged).incrementAndGet();
                reject(c, switch (v) {
                    case UNSIGNED -> "unsigned command refused";
                    case UNKNOWN_KEY -> "signed with unknown key id '" + c.keyId() + "'";
                    default -> "signature does not match (forged or altered)";
                });
                return;
            }
        }
        synchronized (seenIds) {
            if (seenIds.containsKey(c.commandId())) {
                duplicates.incrementAndGet();
                // after the first delivery in the inbox, so its outcome is known when this is polled
                inbox.add(new Received(c, null, true));
                return;
            }
            seenIds.put(c.commandId(), null);
        }
        if (c.expiresAtMs() > 0 && clock.millis() > c.expiresAtMs()) {
            rejectedExpired.incrementAndGet();
            reject(c, "expired at " + c.expiresAtMs());
            return;
        }
        synchronized (this) {
            if (c.seq() <= lastAcceptedSeq) {
                rejectedReplayed.incrementAndGet();
                reject(c, "replayed: sequence " + c.seq() + " is not after " + lastAcceptedSeq);
                return;
            }
            lastAcceptedSeq = c.seq();
        }
        accepted.incrementAndGet();
        inbox.add(new Received(c, null));
    }

    private void reject(ControlCommand c, String why) {
        rejected.incrementAndGet();
        LOG.warn("control command {} for {}/{} refused: {}", c.commandId(), runId, workerId, why);
        inbox.add(new Received(c, why));
    }

    /** Remembers how the worker answered a command, for acknowledging a redelivery of it the same way. */
    public void acknowledged(ControlAck ack) {
        synchronized (seenIds) {
            if (seenIds.containsKey(ack.commandId())) seenIds.put(ack.commandId(), ack);
        }
    }

    /**
     * The ack the worker sent for a command seen before, or null when it has not answered it yet
     * (or the id is older than the {@value #REMEMBERED_IDS} remembered).
     */
    public ControlAck outcomeOf(String commandId) {
        synchronized (seenIds) {
            return seenIds.get(commandId);
        }
    }

    /** The next command for the training thread to apply or reject, or null. */
    public Received poll() {
        return inbox.poll();
    }

    public long accepted() {
        return accepted.get();
    }

    /** Redeliveries of a command seen before: never applied again, acknowledged again by the worker. */
    public long duplicates() {
        return duplicates.get();
    }

    /** Commands addressed to this worker that were refused, for any reason. */
    public long rejected() {
        return rejected.get();
    }

    public long rejectedUnsigned() {
        return rejectedUnsigned.get();
    }

    /** Refused for a signature that does not match or a key id that is not configured. */
    public long rejectedForged() {
        return rejectedForged.get();
    }

    public long rejectedExpired() {
        return rejectedExpired.get();
    }

    public long rejectedReplayed() {
        return rejectedReplayed.get();
    }

    public long undecodable() {
        return undecodable.get();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
