package dev.gradwatch.trainer.bench;

import dev.gradwatch.trainer.engine.MatrixOps;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * One training step of {@link TrainerBench}'s networks under JMH, with and without the probe,
 * for the allocation figures of JMH's GC profiler ({@code gc.alloc.rate.norm}, bytes per step).
 * Run by {@code gradwatch bench trainer --jmh}, never by the test suite.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TrainerStepBenchmark {

    @Param({"d10-w256-b64", "d20-w256-b64", "d8-w1024-b128"})
    public String config;

    /** {@link MatrixOps.Backend} id. */
    @Param({"ejml"})
    public String backend;

    private TrainerBench.Net net;

    @Setup(Level.Trial)
    public void setUp() {
        MatrixOps.setBackend(MatrixOps.Backend.parse(backend));
        TrainerBench.Config c = TrainerBench.CONFIGS.stream().filter(x -> x.name().equals(config)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("config: unknown '" + config + "'"));
        net = new TrainerBench.Net(c);
    }

    @Benchmark
    public void step() {
        net.step(TrainerBench.Probe.NONE);
    }

    @Benchmark
    public void stepWithProbe() {
        net.step(TrainerBench.Probe.OVERLAPPED);
    }

    @Benchmark
    public void stepWithInlineProbe() {
        net.step(TrainerBench.Probe.INLINE);
    }

    /**
     * Runs the benchmark with the GC profiler for the given backends and prints JMH's report
     * (per benchmark: ms/op, and gc.alloc.rate.norm in B/op). JMH itself allocates a few KiB per
     * iteration, which gc.alloc.rate.norm spreads over the steps of the iteration.
     */
    public static Collection<RunResult> run(String[] backends, int warmupIterations, int iterations, int secondsPerIteration,
                                            String... jvmArgs) throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(TrainerStepBenchmark.class.getName() + "\\.")
                .param("backend", backends)
                .addProfiler(GCProfiler.class)
                .warmupIterations(warmupIterations)
                .measurementIterations(iterations)
                .warmupTime(TimeValue.seconds(secondsPerIteration))
                .measurementTime(TimeValue.seconds(secondsPerIteration))
                .forks(1);
        if (jvmArgs.length > 0) o.jvmArgsAppend(jvmArgs);
        return new Runner(o.build()).run();
    }
}
