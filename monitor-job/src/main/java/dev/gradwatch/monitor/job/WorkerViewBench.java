package dev.gradwatch.monitor.job;

import dev.gradwatch.events.EventCodec;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.ingest.RawRecord;
import dev.gradwatch.monitor.ingest.StatsDecoder;
import org.apache.flink.metrics.SimpleCounter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The CPU the worker view spends per layer statistic, in its two halves and outside Flink: decoding
 * the records as the trainers send them ({@link StatsDecoder}), and judging the decoded steps
 * ({@link WorkerViewFunction#judgeStep}: the step view, every layer's windows). The pipeline bench
 * measures the whole job through a real broker, where the host's drift and the other operators blur
 * a change to one of these; this isolates them. Synthetic healthy workers, as in the pipeline bench;
 * thread CPU time per round, the median of the rounds after the first third (the JIT's warm-up).
 */
public final class WorkerViewBench {

    /** Median microseconds of thread CPU per layer statistic, and what was judged. */
    public record Result(int workers, int stepsPerWorker, int layers, int rounds, double decodeMicros,
                         double judgeMicros, long decodeFailures, long alertsPerRound) {
    }

    private WorkerViewBench() {
    }

    public static Result run(int workers, int stepsPerWorker, int layers, int rounds) {
        if (workers < 1 || stepsPerWorker < 1 || layers < 1 || rounds < 3) {
            throw new IllegalArgumentException("need workers, steps and layers >= 1 and rounds >= 3");
        }
        byte[][] records = records(workers, stepsPerWorker, layers);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        double stats = (double) records.length * layers;
        int warm = rounds / 3;
        double[] decode = new double[rounds - warm];
        double[] judge = new double[rounds - warm];
        long failures = 0;
        long alerts = 0;
        for (int round = 0; round < rounds; round++) {
            StepStats[] decoded = new StepStats[records.length];
            long t0 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < records.length; i++) {
                decoded[i] = StatsDecoder.decode(new RawRecord("bench", 0, i, 0, null, records[i])).stats();
            }
            long t1 = cpu.getCurrentThreadCpuTime();
            WorkerMonitors monitors = WorkerMonitors.of(DetectorConfig.DEFAULTS);
            WorkerViewState[] states = new WorkerViewState[workers];
            for (int w = 0; w < workers; w++) states[w] = new WorkerViewState();
            SimpleCounter dropped = new SimpleCounter();
            long roundAlerts = 0;
            long roundFailures = 0;
            long t2 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < decoded.length; i++) {
                if (decoded[i] == null) {
                    roundFailures++;
                    continue;
                }
                roundAlerts += WorkerViewFunction.judgeStep(monitors, states[i % workers], decoded[i], 0, Long.MAX_VALUE / 2,
                        dropped).alerts().size();
            }
            long t3 = cpu.getCurrentThreadCpuTime();
            if (round >= warm) {
                decode[round - warm] = (t1 - t0) / 1e3 / stats;
                judge[round - warm] = (t3 - t2) / 1e3 / stats;
            }
            failures = roundFailures;
            alerts = roundAlerts;
        }
        return new Result(workers, stepsPerWorker, layers, rounds, median(decode), median(judge), failures, alerts);
    }

    /** The records of healthy workers in step order, as EventCodec writes them (what the trainers send). */
    private static byte[][] records(int workers, int stepsPerWorker, int layers) {
        SplittableRandom rng = new SplittableRandom(2);
        byte[][] out = new byte[workers * stepsPerWorker][];
        int k = 0;
        for (int s = 0; s < stepsPerWorker; s++) {
            for (int w = 0; w < workers; w++) {
                List<LayerStats> ls = new ArrayList<>(layers);
                for (int l = 0; l < layers; l++) {
                    double norm = 0.5 + rng.nextDouble();
                    ls.add(new LayerStats(l, "dense" + l, "dense/relu", 4160, norm, norm / 60, norm / 5, 0, 0.01,
                            8 + rng.nextDouble(), 1e-3 * (0.5 + rng.nextDouble())));
                }
                out[k++] = EventCodec.encode(new StepStats("bench", "w" + w, s, 1_000L + s, 1.0 / (1 + s * 0.01), 0.01,
                        Double.POSITIVE_INFINITY, ls));
            }
        }
        return out;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
