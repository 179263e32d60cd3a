package dev.gradwatch.cli;

import dev.gradwatch.demo.LocalMonitor;
import dev.gradwatch.monitor.MonitorConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = {"Runs the monitor job on an in-process Flink MiniCluster against an existing Kafka.",
                "On a Flink cluster, submit monitor-job/target/monitor-job-*-flink-job.jar with `flink run` instead."})
final class MonitorCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers")
    String bootstrap;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "a monitor setting, e.g. --set exploding.ceiling=500 (see the keys below)")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        Map<String, String> values = new LinkedHashMap<>(settings);
        values.put("bootstrap.servers", bootstrap);
        try (LocalMonitor monitor = LocalMonitor.start(MonitorConfig.fromMap(values))) {
            System.out.println("monitor job " + monitor.jobId() + " running; Ctrl-C to stop");
            CountDownLatch forever = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
            forever.await();
        }
        return 0;
    }
}
