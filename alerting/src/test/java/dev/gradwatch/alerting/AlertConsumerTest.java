package dev.gradwatch.alerting;

import dev.gradwatch.embedded.EmbeddedKafkaBroker;
import dev.gradwatch.events.Alert;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.events.Severity;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class AlertConsumerTest {

    private static Alert alert(String id, double norm) {
        return new Alert(1, id, "fp-" + id, "exploding.ceiling", Severity.CRITICAL, Alert.FIRING, "run-x", "w0",
                3, "dense3", 12, 1000, "gradient norm of dense3 over the ceiling",
                Map.of("gradL2", norm, "ceiling", 1000.0), "clip the gradient norm");
    }

    @Test
    void printsEachAlertOnceAndSkipsGarbage() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createTopics(2, "alerts");
            List<Alert> got = new CopyOnWriteArrayList<>();
            try (AlertConsumer consumer = new AlertConsumer(broker.bootstrapServers(), "alerts", "printer", got::add);
                 KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                         new StringSerializer(), new ByteArraySerializer())) {
                assertTrue(consumer.awaitSubscribed(10, TimeUnit.SECONDS));
                p.send(new ProducerRecord<>("alerts", "run-x", EventCodec.encode(alert("a1", 4.2e4))));
                p.send(new ProducerRecord<>("alerts", "run-x", EventCodec.encode(alert("a1", 4.2e4))));
                p.send(new ProducerRecord<>("alerts", "run-x", "garbage".getBytes(StandardCharsets.UTF_8)));
                p.send(new ProducerRecord<>("alerts", "run-x", EventCodec.encode(alert("a2", Double.NaN))));
                p.flush();
                long deadline = System.currentTimeMillis() + 30_000;
                while ((got.size() < 2 || consumer.undecodable() < 1) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                Thread.sleep(300);
                assertEquals(List.of("a1", "a2"), got.stream().map(Alert::alertId).toList());
                assertEquals(1, consumer.duplicates());
                assertEquals(1, consumer.undecodable());
            }
        }
    }

    @Test
    void formatNamesRuleRunLayerEvidenceAndRemedy() {
        String text = AlertFormatter.format(alert("a1", 4.2e4));
        assertTrue(text.contains("[CRITICAL] FIRING exploding.ceiling"), text);
        assertTrue(text.contains("run=run-x"), text);
        assertTrue(text.contains("layer=dense3 (#3)"), text);
        assertTrue(text.contains("gradL2=4.20e+04"), text);
        assertTrue(text.contains("what to do: clip the gradient norm"), text);
        assertEquals("NaN", AlertFormatter.number(Double.NaN));
        assertEquals("+Inf", AlertFormatter.number(Double.POSITIVE_INFINITY));
        assertEquals("0.250", AlertFormatter.number(0.25));
    }
}
