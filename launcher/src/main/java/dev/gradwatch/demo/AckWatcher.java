package dev.gradwatch.demo;

import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.DecodeException;
import dev.gradwatch.events.EventCodec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Follows the trainers' acknowledgements of control commands, so the demo can show the loop closing. */
final class AckWatcher implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ControlAck> acks = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    AckWatcher(String bootstrapServers, String topic, Consumer<ControlAck> onAck) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "gradwatch-demo-acks",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(() -> {
            try {
                consumer.subscribe(List.of(topic));
                while (running) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        try {
                            ControlAck ack = EventCodec.decode(r.value(), ControlAck.class);
                            acks.add(ack);
                            onAck.accept(ack);
                        } catch (DecodeException e) {
                            // trainers write acks with the same codec; nothing else writes this topic
                        }
                    }
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close(Duration.ofSeconds(2));
            }
        }, "gradwatch-demo-acks");
        thread.setDaemon(true);
        thread.start();
    }

    List<ControlAck> acks() {
        return List.copyOf(acks);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5_000);
    }
}
