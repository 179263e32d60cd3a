package dev.gradwatch.cli;

import dev.gradwatch.bench.PipelineBench;
import dev.gradwatch.events.EventCodec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print their figures.",
        subcommands = {BenchCommand.Pipeline.class})
final class BenchCommand implements Runnable {

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "name a benchmark: pipeline");
    }

    @Command(name = "pipeline", mixinStandardHelpOptions = true,
            description = {"Replays synthetic trainers through an in-process broker and the monitor job on a MiniCluster:",
                    "layer statistics processed per second, and reaction latency (NaN step published -> clip command",
                    "on the control topic) under a background load."})
    static final class Pipeline implements Callable<Integer> {
        @Option(names = "--layers", defaultValue = "20", description = "layers per step (default: ${DEFAULT-VALUE})")
        int layers;
        @Option(names = "--workers", defaultValue = "40", description = "synthetic workers (default: ${DEFAULT-VALUE})")
        int workers;
        @Option(names = "--steps", defaultValue = "20000", description = "steps replayed for throughput (default: ${DEFAULT-VALUE})")
        int steps;
        @Option(names = "--samples", defaultValue = "100", description = "reaction-latency samples (default: ${DEFAULT-VALUE})")
        int samples;
        @Option(names = "--background", defaultValue = "10000",
                description = "background layer statistics per second during the latency phase (default: ${DEFAULT-VALUE})")
        int background;
        @Option(names = "--json", description = "print the figures as JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PipelineBench.Result r = new PipelineBench(new PipelineBench.Options(layers, workers, steps, samples, background),
                    System.out).run();
            if (json) System.out.println(EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
            return 0;
        }
    }
}
