package dev.gradwatch.monitor;

import dev.gradwatch.embedded.EmbeddedKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** For job tests against a real broker: one in-process broker per test class, started before its first test and stopped after its last. */
abstract class BrokerPerClass {

    static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) broker.close();
        broker = null;
    }
}
