package dev.gradwatch.monitor.job;

import dev.gradwatch.monitor.detect.LayerState;
import dev.gradwatch.monitor.detect.StepState;
import dev.gradwatch.monitor.policy.ClipState;

import java.util.HashMap;
import java.util.Map;

/**
 * Keyed state of one (run, worker): the view over whole steps and each layer's windows, and the
 * control policy's memory of the worker. A Flink POJO.
 *
 * <p>Size: one {@link StepState} (a ring of {@code historySteps} steps, 21 by default, of the step
 * monitor's columns), per layer reported within the idle timeout one {@link LayerState} (a ring of
 * {@code historySteps} samples of the layer monitor's columns) and its latches, and one
 * {@link ClipState} (the global norms of the policy's
 * history and its escalation counters); a layer silent for the idle timeout is dropped while the
 * worker goes on, and the whole key when the worker falls silent.
 */
public final class WorkerViewState {

    public StepState step = new StepState();
    public Map<Integer, LayerEntry> layers = new HashMap<>();
    public ClipState clip = new ClipState();

    public WorkerViewState() {
    }

    /** One layer's windows and when (processing time) a sample of it was last taken. A Flink POJO. */
    public static final class LayerEntry {
        public LayerState state = new LayerState();
        public long seenMs;

        public LayerEntry() {
        }
    }
}
