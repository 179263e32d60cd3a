package dev.gradwatch.monitor.job;

import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.DivergenceMonitor;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.SimpleCounter;

import java.io.IOException;
import java.util.List;

/**
 * How many bytes one key's state takes in a checkpoint, measured by running steps through the same
 * code the operators run and writing the state with the serializer Flink picks for it.
 */
public final class StateSizes {

    private StateSizes() {
    }

    /** Bytes of one (run, worker) key of the worker view after these steps of that worker. */
    public static long workerView(DetectorConfig cfg, List<StepStats> steps) throws IOException {
        WorkerMonitors monitors = WorkerMonitors.of(cfg);
        WorkerViewState st = new WorkerViewState();
        for (StepStats s : steps) WorkerViewFunction.judgeStep(monitors, st, s, 0, Long.MAX_VALUE / 2, new SimpleCounter());
        return bytes(WorkerViewState.class, st);
    }

    /** Bytes of one run key of the comparison across workers after these steps of its workers. */
    public static long runDivergence(DetectorConfig cfg, List<StepStats> steps) throws IOException {
        DivergenceMonitor monitor = new DivergenceMonitor(cfg);
        RunDivergenceState st = new RunDivergenceState();
        for (StepStats s : steps) {
            RunDivergenceFunction.judgeStep(monitor, st, StepNorms.of(s), 0, Long.MAX_VALUE / 2, new SimpleCounter());
        }
        return bytes(RunDivergenceState.class, st);
    }

    private static <T> long bytes(Class<T> type, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64 * 1024);
        TypeInformation.of(type).createSerializer(new SerializerConfigImpl()).serialize(value, out);
        return out.length();
    }
}
