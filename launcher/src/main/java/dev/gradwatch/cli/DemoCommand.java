package dev.gradwatch.cli;

import dev.gradwatch.demo.Demo;
import dev.gradwatch.demo.DemoSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the whole loop in one JVM: an in-process Kafka broker, the monitor job on a Flink",
                "MiniCluster, the alert printer and three trainers (vanishing, exploding, healthy)."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--summary", paramLabel = "FILE", description = "write a JSON summary of the runs to FILE")
    Path summary;

    @Option(names = "--steps", defaultValue = "400", description = "training steps per trainer (default: ${DEFAULT-VALUE})")
    long steps;

    @Option(names = "--steps-per-second", defaultValue = "40",
            description = "pace of each trainer (default: ${DEFAULT-VALUE})")
    double stepsPerSecond;

    @Option(names = "--quiet", description = "print only the start-up lines and the final table")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        DemoSummary result = new Demo(new Demo.Options(steps, stepsPerSecond, summary, quiet), System.out).run();
        if (summary != null) {
            Demo.writeSummary(result, summary);
            System.out.println("summary written to " + summary.toAbsolutePath());
        }
        return 0;
    }
}
