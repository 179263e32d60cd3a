package dev.gradwatch.monitor.detect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keyed state of one (run, layer) across its workers: the steps still waiting for workers to report,
 * and per worker its recent cross-worker scores and latches. A Flink POJO.
 *
 * <p>Size: at most {@code 4 · window.size + 1} pending steps (41 by default) of one norm per worker,
 * and per worker a ring of {@code window.size} scores (4 doubles and a step each); workers silent for
 * eight windows with nothing firing are dropped.
 */
public final class DivergenceState {

    /** Steps not yet judged, oldest first. */
    public List<PendingStep> pending = new ArrayList<>();
    public Map<String, WorkerTrack> workers = new HashMap<>();
    /** Latest step judged, -1 before any: later samples for it or before it are late. */
    public long lastJudgedStep = -1;
    /** Latest step any worker reported, -1 before any. */
    public long newestStep = -1;
    public int layerIndex = -1;
    public String layerName = "";
    public String layerKind = "";
    /**
     * Workers active at {@link #activeWorkersAtStep}, a cache that is not checkpointed (transient
     * fields are not part of the POJO): a restored or copied state counts them again once.
     */
    transient int activeWorkers;
    transient long activeWorkersAtStep;
    transient boolean activeWorkersValid;

    public DivergenceState() {
    }

    /** One step's gradient norms by worker, waiting for the rest of the workers. A Flink POJO. */
    public static final class PendingStep {
        public long step;
        public long timestampMs;
        public Map<String, Double> norms = new HashMap<>();

        public PendingStep() {
        }
    }

    /** One worker's scores at judged steps and its latches. A Flink POJO. */
    public static final class WorkerTrack {
        public SampleRing scores = new SampleRing();
        public Map<String, AlertLatch> latches = new HashMap<>();
        public long lastSeenStep = -1;

        public WorkerTrack() {
        }
    }
}
