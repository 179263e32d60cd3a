package dev.gradwatch.monitor.job;

import dev.gradwatch.monitor.detect.DivergenceState;

import java.util.HashMap;
import java.util.Map;

/**
 * Keyed state of one run: per layer, its workers' pending norms and scores. A Flink POJO.
 *
 * <p>Size: per layer reported within the idle timeout one {@link DivergenceState} (at most
 * {@code 4 · window.size + 1} pending steps of one norm per worker, and per worker a ring of
 * {@code window.size} scores); a layer silent for the idle timeout is dropped while the run goes on,
 * and the whole key when the run falls silent. {@code gradwatch bench pipeline} prints the bytes of
 * one key.
 *
 * <p>Known limitation: one value per run suits the heap state backend the job is deployed with
 * ({@code state.backend.type: hashmap}), where a value is not copied on access; on RocksDB every
 * record would read and write the run's whole value, and this should become a map state per layer.
 */
public final class RunDivergenceState {

    public Map<Integer, LayerEntry> layers = new HashMap<>();

    public RunDivergenceState() {
    }

    /** One layer's comparison state and when (processing time) a norm of it was last taken. A Flink POJO. */
    public static final class LayerEntry {
        public DivergenceState state = new DivergenceState();
        public long seenMs;

        public LayerEntry() {
        }
    }
}
