package dev.gradwatch.trainer.kafka;

import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.events.StepStats;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes a worker's {@link StepStats} and {@link ControlAck}s to Kafka without ever blocking
 * the training thread.
 *
 * <p>{@link #publish} only offers the record to a bounded queue; a sender thread encodes and
 * hands it to an idempotent, acks=all producer. When the queue is full (the broker is away or
 * slow) the record is dropped and counted, never waited for. Acks have a queue of their own so a
 * flood of statistics cannot crowd them out.
 */
public final class StatsPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatsPublisher.class);

    private final Producer<String, byte[]> producer;
    private final String statsTopic;
    private final String acksTopic;
    private final BlockingQueue<StepStats> stats;
    private final BlockingQueue<ControlAck> acks = new ArrayBlockingQueue<>(1024);
    private final Thread sender;
    private volatile boolean closing;

    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong endOfRunDelivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong acksDropped = new AtomicLong();
    private final AtomicLong acksDelivered = new AtomicLong();

    /**
     * @param bootstrapServers Kafka {@code bootstrap.servers}
     * @param capacity         how many step records may wait for the broker before new ones are dropped
     */
    public StatsPublisher(String bootstrapServers, String statsTopic, String acksTopic, int capacity) {
        this(new KafkaProducer<>(producerProps(bootstrapServers), new StringSerializer(), new ByteArraySerializer()),
                statsTopic, acksTopic, capacity);
    }

    StatsPublisher(Producer<String, byte[]> producer, String statsTopic, String acksTopic, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        this.producer = producer;
        this.statsTopic = statsTopic;
        this.acksTopic = acksTopic;
        this.stats = new ArrayBlockingQueue<>(capacity);
        this.sender = new Thread(this::sendLoop, "gradwatch-stats-sender");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    static Properties producerProps(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // a step's JSON repeats the same field names per layer: lz4 shrinks it several times for little
        // CPU, which the broker and the monitor's source then save (the pipeline bench shows both)
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // the sender thread, not training, waits for metadata; keep the wait short so close() is prompt
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "gradwatch-trainer-" + Long.toHexString(System.nanoTime()));
        return p;
    }

    /** Queues one step's statistics; returns false (and counts a drop) when the queue is full. */
    public boolean publish(StepStats s) {
        if (stats.offer(s)) {
            enqueued.incrementAndGet();
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    /**
     * Queues the end-of-run marker after the last step's statistics. Training is over, so this waits
     * up to 5 s for room rather than dropping it; false (counted as dropped) if there was none.
     */
    public boolean publishEndOfRun(StepStats marker) {
        if (!marker.endsRun()) throw new IllegalArgumentException("not an end-of-run marker: " + marker);
        try {
            if (stats.offer(marker, 5, TimeUnit.SECONDS)) return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dropped.incrementAndGet();
        return false;
    }

    /** Queues an acknowledgement of a control command. */
    public boolean publishAck(ControlAck ack) {
        if (acks.offer(ack)) return true;
        acksDropped.incrementAndGet();
        return false;
    }

    private void sendLoop() {
        while (!closing || !stats.isEmpty() || !acks.isEmpty()) {
            try {
                ControlAck ack = acks.poll();
                if (ack != null) {
                    send(acksTopic, ack.runId() + "/" + ack.workerId(), EventCodec.encode(ack), acksDelivered);
                    continue;
                }
                StepStats s = stats.poll(20, TimeUnit.MILLISECONDS);
                if (s != null) {
                    send(statsTopic, s.runId() + "/" + s.workerId(), EventCodec.encode(s),
                            s.endsRun() ? endOfRunDelivered : delivered);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // send() throws when metadata cannot be had within max.block.ms: the record is lost
                failed.incrementAndGet();
                LOG.debug("send failed: {}", e.toString());
            }
        }
    }

    private void send(String topic, String key, byte[] value, AtomicLong deliveredCounter) {
        producer.send(new ProducerRecord<>(topic, key, value), (md, e) -> {
            if (e == null) deliveredCounter.incrementAndGet();
            else {
                failed.incrementAndGet();
                LOG.debug("delivery to {} failed: {}", topic, e.toString());
            }
        });
    }

    /** Records accepted into the queue. */
    public long enqueued() {
        return enqueued.get();
    }

    /** Records dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Acknowledgements the broker took. */
    public long acksDelivered() {
        return acksDelivered.get();
    }

    /** End-of-run markers the broker acknowledged (0 or 1 for a worker). */
    public long endOfRunDelivered() {
        return endOfRunDelivered.get();
    }

    /** Step records the broker acknowledged (end-of-run markers not included). */
    public long delivered() {
        return delivered.get();
    }

    /** Records (steps or acks) handed to the producer that it failed to deliver. */
    public long failed() {
        return failed.get();
    }

    /** Acknowledgements dropped because their queue was full. */
    public long acksDropped() {
        return acksDropped.get();
    }

    /** Waits up to {@code timeout} for queued records to be sent, then closes the producer. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    public void close(Duration timeout) {
        closing = true;
        try {
            sender.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.interrupt();
        producer.close(timeout);
        long leftBehind = stats.size();
        if (leftBehind > 0) {
            dropped.addAndGet(leftBehind);
            stats.clear();
        }
    }
}
