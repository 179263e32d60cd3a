package dev.gradwatch.alerting;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.DecodeException;
import dev.gradwatch.events.EventCodec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the alerts topic, drops duplicates by alert id, and hands each new alert to a receiver
 * (for now: print it). Runs on its own thread until closed.
 */
public final class AlertConsumer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertConsumer.class);

    /** What to do with each distinct alert. */
    public interface Receiver {
        void accept(Alert alert);
    }

    private final Consumer<String, byte[]> consumer;
    private final String topic;
    private final Receiver receiver;
    private final AlertDeduplicator dedup = new AlertDeduplicator(100_000);
    private final Thread thread;
    private final CountDownLatch subscribed = new CountDownLatch(1);
    private volatile boolean running = true;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();

    /**
     * @param groupId consumer group; alert routers that share one split the work and commit offsets
     */
    public AlertConsumer(String bootstrapServers, String topic, String groupId, Receiver receiver) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.receiver = receiver;
        this.thread = new Thread(this::run, "gradwatch-alerts");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic));
            subscribed.countDown();
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    Alert a;
                    try {
                        a = EventCodec.decode(r.value(), Alert.class);
                    } catch (DecodeException e) {
                        undecodable.incrementAndGet();
                        LOG.warn("undecodable alert at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
                        continue;
                    }
                    if (!dedup.firstTime(a.alertId())) continue;
                    delivered.incrementAndGet();
                    try {
                        receiver.accept(a);
                    } catch (RuntimeException e) {
                        LOG.warn("alert receiver failed for {}: {}", a.alertId(), e.toString());
                    }
                }
                consumer.commitAsync();
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    public boolean awaitSubscribed(long timeout, TimeUnit unit) throws InterruptedException {
        return subscribed.await(timeout, unit);
    }

    /** Distinct alerts handed to the receiver. */
    public long delivered() {
        return delivered.get();
    }

    /** Alerts dropped as duplicates of one already delivered. */
    public long duplicates() {
        return dedup.duplicates();
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
