package dev.gradwatch.cli;

import dev.gradwatch.bench.PipelineBench;
import dev.gradwatch.events.EventCodec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print their figures.",
        subcommands = {BenchCommand.Pipeline.class, BenchCommand.Trainer.class})
final class BenchCommand implements Runnable {

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "name a benchmark: pipeline or trainer");
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
        @Option(names = "--compression", defaultValue = "lz4",
                description = "compression of the synthetic trainers' producer: none, gzip, snappy, lz4, zstd (default: ${DEFAULT-VALUE})")
        String compression;
        @Option(names = "--json", description = "print the figures as JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PipelineBench.Result r = new PipelineBench(new PipelineBench.Options(layers, workers, steps, samples, background,
                    compression),
                    System.out).run();
            if (json) System.out.println(EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
            return 0;
        }
    }

    @Command(name = "trainer", mixinStandardHelpOptions = true,
            description = {"Training-step time of dense ReLU MLPs (784 inputs, 10 classes, softmax cross-entropy,",
                    "SGD with momentum) with and without the gradient probe, GFLOP/s achieved against EJML's multiply",
                    "alone, allocation per step, and optionally PyTorch on the same networks."})
    static final class Trainer implements Callable<Integer> {
        @Option(names = "--warmup", defaultValue = "30", description = "warm-up steps (default: ${DEFAULT-VALUE})")
        int warmup;
        @Option(names = "--steps", defaultValue = "100", description = "timed steps per variant (default: ${DEFAULT-VALUE})")
        int steps;
        @Option(names = "--pytorch", description = "also run bench/pytorch_mlp_step.py with Debian's python3-torch and print the ratio")
        boolean pytorch;
        @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "python with torch (default: ${DEFAULT-VALUE})")
        String python;
        @Option(names = "--json", description = "print the figures as JSON")
        boolean json;
        @Option(names = "--concurrent", description = "use EJML's concurrent matrix ops (both cores) instead of one thread")
        boolean concurrent;

        @Override
        public Integer call() throws Exception {
            java.util.List<java.util.Map<String, Object>> rows = new java.util.ArrayList<>();
            java.util.Map<String, Double> torch = pytorch ? TorchReference.run(python, warmup, steps) : java.util.Map.of();
            System.out.printf("%-15s %9s %10s %12s %8s %10s %11s %12s %10s%n", "config", "params", "step ms",
                    "w/ probe ms", "probe %", "GFLOP/s", "mult GF/s", "alloc B/step", "torch ms");
            for (dev.gradwatch.trainer.bench.TrainerBench.Config c : dev.gradwatch.trainer.bench.TrainerBench.CONFIGS) {
                dev.gradwatch.trainer.bench.TrainerBench.Result r = dev.gradwatch.trainer.bench.TrainerBench.run(c, warmup, steps, concurrent);
                Double t = torch.get(c.name());
                System.out.printf(java.util.Locale.ROOT, "%-15s %9d %10.2f %12.2f %8.2f %10.2f %11.2f %12.0f %10s%n",
                        r.config(), r.parameters(), r.stepMs(), r.stepWithProbeMs(), r.probeCostPercent(), r.stepGflops(),
                        r.multPeakGflops(), r.allocatedBytesPerStep(),
                        t == null ? "-" : String.format(java.util.Locale.ROOT, "%.2f (x%.2f)", t, r.stepMs() / t));
                java.util.Map<String, Object> row = new java.util.LinkedHashMap<>(
                        EventCodec.mapper().convertValue(r, java.util.Map.class));
                if (t != null) {
                    row.put("pytorchStepMs", t);
                    row.put("ratioToPytorch", r.stepMs() / t);
                }
                rows.add(row);
            }
            if (json) System.out.println(EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(rows));
            return 0;
        }
    }
}
