package dev.gradwatch.cli;

import dev.gradwatch.alerting.AlertConsumer;
import dev.gradwatch.alerting.AlertFormatter;
import dev.gradwatch.events.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "alerts", mixinStandardHelpOptions = true, description = "Prints alerts from the alerts topic as they come.")
final class AlertsCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers")
    String bootstrap;

    @Option(names = "--group", defaultValue = "gradwatch-alert-printer", description = "consumer group (default: ${DEFAULT-VALUE})")
    String group;

    @Override
    public Integer call() throws Exception {
        CountDownLatch forever = new CountDownLatch(1);
        try (AlertConsumer consumer = new AlertConsumer(bootstrap, Topics.ALERTS, group,
                a -> System.out.print(AlertFormatter.format(a)))) {
            Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
            forever.await();
        }
        return 0;
    }
}
