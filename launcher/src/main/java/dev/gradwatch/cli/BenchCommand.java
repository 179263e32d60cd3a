package dev.gradwatch.cli;

import dev.gradwatch.bench.PipelineBench;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.trainer.bench.TrainerBench;
import dev.gradwatch.trainer.bench.TrainerStepBenchmark;
import dev.gradwatch.trainer.engine.MatrixOps;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print their figures.",
        subcommands = {BenchCommand.Pipeline.class, BenchCommand.Monitor.class, BenchCommand.Trainer.class})
final class BenchCommand implements Runnable {

    @Override
    public void run() {
        throw new ParameterException(new CommandLine(this), "name a benchmark: pipeline, monitor or trainer");
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
        @Option(names = "--steps", defaultValue = "150000",
                description = "steps replayed for throughput; shorter replays are dominated by the JIT warming up "
                        + "(default: ${DEFAULT-VALUE})")
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

    @Command(name = "monitor", mixinStandardHelpOptions = true,
            description = {"CPU per layer statistic of the monitor job's worker view outside Flink, in its two halves:",
                    "decoding the records the trainers send, and judging the decoded steps (step view and every",
                    "layer's windows). Thread CPU time, median of the rounds after the first third."})
    static final class Monitor implements Callable<Integer> {
        @Option(names = "--workers", defaultValue = "40", description = "synthetic workers (default: ${DEFAULT-VALUE})")
        int workers;
        @Option(names = "--steps", defaultValue = "1500", description = "steps per worker (default: ${DEFAULT-VALUE})")
        int steps;
        @Option(names = "--layers", defaultValue = "20", description = "layers per step (default: ${DEFAULT-VALUE})")
        int layers;
        @Option(names = "--rounds", defaultValue = "15", description = "rounds over all records (default: ${DEFAULT-VALUE})")
        int rounds;
        @Option(names = "--json", description = "print the figures as JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            dev.gradwatch.monitor.job.WorkerViewBench.Result r =
                    dev.gradwatch.monitor.job.WorkerViewBench.run(workers, steps, layers, rounds);
            if (json) {
                System.out.println(EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
            } else {
                System.out.printf(Locale.ROOT, "worker view, %d workers x %d steps of %d layers, median of %d rounds: "
                                + "decoding %.3f us and judging %.3f us of CPU per layer statistic (%d undecodable, "
                                + "%d alerts per round)%n", r.workers(), r.stepsPerWorker(), r.layers(),
                        r.rounds() - r.rounds() / 3, r.decodeMicros(), r.judgeMicros(), r.decodeFailures(),
                        r.alertsPerRound());
            }
            return 0;
        }
    }

    @Command(name = "trainer", mixinStandardHelpOptions = true,
            description = {"Training-step time of dense ReLU MLPs (784 inputs, 10 classes, softmax cross-entropy,",
                    "SGD with momentum) with and without the gradient probe, GFLOP/s achieved against the same",
                    "backend's multiply alone, allocation per step, and optionally PyTorch on the same networks.",
                    "With --jmh: one training step with and without the probe under JMH with its GC profiler."})
    static final class Trainer implements Callable<Integer> {
        /** Set in the environment of a re-launched bench so it does not re-launch again. */
        static final String CHILD_ENV = "GRADWATCH_BENCH_CHILD";

        @Option(names = "--warmup", defaultValue = "30", description = "warm-up steps (default: ${DEFAULT-VALUE})")
        int warmup;
        @Option(names = "--steps", defaultValue = "100", description = "timed steps per variant (default: ${DEFAULT-VALUE})")
        int steps;
        @Option(names = "--pytorch", description = "also run bench/pytorch_mlp_step.py with Debian's python3-torch and print the ratio")
        boolean pytorch;
        @Option(names = "--pytorch-dtype", defaultValue = "float32",
                description = "PyTorch's dtype, float32 or float64 (ours is always float64; default: ${DEFAULT-VALUE})")
        String pytorchDtype;
        @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "python with torch (default: ${DEFAULT-VALUE})")
        String python;
        @Option(names = "--json", description = "print the figures as JSON")
        boolean json;
        @Option(names = "--backend", defaultValue = "ejml",
                description = "matrix products: ejml (one thread), ejml-concurrent (EJML's fork-join pool), blas (netlib-java: "
                        + "native libblas.so.3 through JNI, else its Java fallback) or blas-java (netlib-java's Java BLAS); "
                        + "comma-separated for several, each in its own JVM (default: ${DEFAULT-VALUE})")
        String backends;
        @Option(names = "--concurrent", description = "same as --backend ejml-concurrent")
        boolean concurrent;
        @Option(names = "--threads", defaultValue = "2",
                description = "threads of the native BLAS (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS) and of PyTorch (default: ${DEFAULT-VALUE})")
        int threads;
        @Option(names = "--jmh", description = "run the training step under JMH with the GC profiler (ms/op and gc.alloc.rate.norm B/op) instead")
        boolean jmh;
        @Option(names = "--jmh-iterations", defaultValue = "5", description = "JMH measurement iterations (default: ${DEFAULT-VALUE})")
        int jmhIterations;
        @Option(names = "--jmh-time", defaultValue = "1",
                description = "seconds per JMH iteration; JMH allocates a few KiB per iteration itself, so longer iterations "
                        + "(more steps each) show the step's own allocation more clearly (default: ${DEFAULT-VALUE})")
        int jmhTime;

        @Override
        public Integer call() throws Exception {
            List<MatrixOps.Backend> list = new ArrayList<>();
            for (String b : (concurrent ? "ejml-concurrent" : backends).split(",")) {
                try {
                    list.add(MatrixOps.Backend.parse(b));
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(new CommandLine(this), "--backend: " + e.getMessage());
                }
            }
            if (threads < 1) throw new ParameterException(new CommandLine(this), "--threads must be >= 1, got " + threads);
            if (!"float32".equals(pytorchDtype) && !"float64".equals(pytorchDtype)) {
                throw new ParameterException(new CommandLine(this),
                        "--pytorch-dtype: expected float32 or float64, got '" + pytorchDtype + "'");
            }
            // a native BLAS reads its thread count from the environment once, when it loads, and
            // netlib-java's VectorBLAS needs the incubator module: run in a JVM set up for both
            boolean needsChild = System.getenv(CHILD_ENV) == null && (list.size() > 1 || !threadsSet()
                    || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty());
            if (needsChild) {
                int rc = 0;
                for (MatrixOps.Backend b : list) rc |= relaunch(b);
                return rc;
            }
            if (jmh) return runJmh(list);
            return runSteps(list.get(0));
        }

        private boolean threadsSet() {
            String t = Integer.toString(threads);
            return t.equals(System.getenv("OPENBLAS_NUM_THREADS")) && t.equals(System.getenv("OMP_NUM_THREADS"));
        }

        /** Runs this command for one backend in a child JVM with the thread variables set; its output goes to ours. */
        private int relaunch(MatrixOps.Backend b) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.add("--add-modules");
            cmd.add("jdk.incubator.vector");
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(GradWatchCommand.class.getName());
            cmd.addAll(List.of("bench", "trainer", "--backend", b.id(), "--threads", Integer.toString(threads),
                    "--warmup", Integer.toString(warmup), "--steps", Integer.toString(steps), "--python", python,
                    "--pytorch-dtype", pytorchDtype, "--jmh-iterations", Integer.toString(jmhIterations),
                    "--jmh-time", Integer.toString(jmhTime)));
            if (pytorch) cmd.add("--pytorch");
            if (json) cmd.add("--json");
            if (jmh) cmd.add("--jmh");
            ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
            pb.environment().put(CHILD_ENV, "1");
            pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
            pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
            return pb.start().waitFor();
        }

        private static String threadsNote() {
            String t = System.getenv("OPENBLAS_NUM_THREADS");
            return t == null ? "unset (OpenBLAS takes every core)" : t;
        }

        private int runJmh(List<MatrixOps.Backend> list) throws Exception {
            String[] ids = list.stream().map(MatrixOps.Backend::id).toArray(String[]::new);
            for (MatrixOps.Backend b : list) {
                System.out.printf("backend %s, BLAS implementation %s, OPENBLAS_NUM_THREADS %s%n", b.id(),
                        TrainerBench.blasImplementation(b), threadsNote());
            }
            TrainerStepBenchmark.run(ids, 2, jmhIterations, jmhTime);
            return 0;
        }

        private int runSteps(MatrixOps.Backend backend) throws Exception {
            List<Map<String, Object>> rows = new ArrayList<>();
            Map<String, Double> torch = pytorch ? TorchReference.run(python, warmup, steps, threads, pytorchDtype) : Map.of();
            System.out.printf("backend %s, BLAS implementation %s, OPENBLAS_NUM_THREADS %s%s%n", backend.id(),
                    TrainerBench.blasImplementation(backend), threadsNote(),
                    pytorch ? ", PyTorch " + pytorchDtype + " with " + threads + " threads" : "");
            System.out.printf("%-15s %9s %10s %12s %8s %9s %9s %10s %11s %12s %16s%n", "config", "params", "step ms",
                    "w/ probe ms", "probe %", "inline %", "helper ms", "GFLOP/s", "mult GF/s", "alloc B/step", "torch ms (ratio)");
            for (TrainerBench.Config c : TrainerBench.CONFIGS) {
                TrainerBench.Result r = TrainerBench.run(c, warmup, steps, backend);
                Double t = torch.get(c.name());
                System.out.printf(Locale.ROOT, "%-15s %9d %10.2f %12.2f %8.2f %9.2f %9.3f %10.2f %11.2f %12.0f %16s%n",
                        r.config(), r.parameters(), r.stepMs(), r.stepWithProbeMs(), r.probeCostPercent(),
                        r.inlineProbeCostPercent(), r.probeHelperMs(), r.stepGflops(),
                        r.multPeakGflops(), r.allocatedBytesPerStep(),
                        t == null ? "-" : String.format(Locale.ROOT, "%.2f (x%.2f)", t, r.stepMs() / t));
                Map<String, Object> row = new LinkedHashMap<>(
                        EventCodec.mapper().convertValue(r, Map.class));
                row.put("openblasNumThreads", System.getenv("OPENBLAS_NUM_THREADS"));
                if (t != null) {
                    row.put("pytorchStepMs", t);
                    row.put("pytorchDtype", pytorchDtype);
                    row.put("pytorchThreads", threads);
                    row.put("ratioToPytorch", r.stepMs() / t);
                }
                rows.add(row);
            }
            if (json) System.out.println(EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(rows));
            return 0;
        }
    }
}
