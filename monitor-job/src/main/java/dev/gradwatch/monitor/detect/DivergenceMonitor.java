package dev.gradwatch.monitor.detect;

import java.util.Iterator;
import java.util.Map;

/**
 * The per-(run, layer, step) view across workers: collects each step's gradient norm from every
 * worker of a run, judges the step once all recently seen workers have reported it (or once it
 * is {@link #lagSteps()} steps behind the newest step, with whoever reported), and runs
 * {@link WorkerDivergenceDetector} per worker on step-counted windows of the scores. Workers of one
 * run arrive through different partitions and source instances, so one may run well ahead of the
 * others; the lag is how much of that skew is absorbed. A window in which a worker could not be
 * compared (too few workers) neither fires nor counts towards resolving.
 *
 * <p>Pure Java; the Flink operator around it only loads the state, calls {@link #onNorm} and
 * stores it back. Known limitations: the last steps of a run that some worker never reports are
 * judged only when later steps push them out, so a run's final steps may go unjudged; and a worker
 * more than the lag behind its peers (asynchronous training) reports steps already judged, which
 * are dropped and counted as late, so it is not compared.
 */
public final class DivergenceMonitor implements ClosesState<DivergenceState> {

    static final int Z = 0;
    static final int NORM = 1;
    static final int MEDIAN = 2;
    static final int WORKERS = 3;
    static final int COLUMNS = 4;

    private final DetectorConfig cfg;
    private final StepWindows windows;
    private final Judge judge;

    public DivergenceMonitor(DetectorConfig cfg) {
        this.cfg = cfg;
        this.windows = cfg.windows();
        this.judge = new Judge(cfg);
    }

    /** Steps a step waits for missing workers: four windows (40 by default). */
    public int lagSteps() {
        return 4 * cfg.windowSize();
    }

    public Outcome onSample(DivergenceState st, LayerSample s) {
        return onNorm(st, s.runId(), s.workerId(), s.step(), s.timestampMs(), s.layer().index(), s.layer().name(),
                s.layer().kind(), s.layer().gradL2());
    }

    /** {@link #onSample} from the few figures it reads, for callers that hold a step's norms, not its layers. */
    public Outcome onNorm(DivergenceState st, String runId, String workerId, long step, long timestampMs,
                          int layerIndex, String layerName, String layerKind, double gradL2) {
        // even a late sample says that the worker exists: later steps wait for it
        DivergenceState.WorkerTrack track = st.workers.get(workerId);
        if (track == null) {
            track = new DivergenceState.WorkerTrack();
            st.workers.put(workerId, track);
            st.activeWorkersValid = false;
        }
        boolean newStep = step > st.newestStep;
        st.newestStep = Math.max(st.newestStep, step);
        boolean wasActive = isActive(st, track);
        track.lastSeenStep = Math.max(track.lastSeenStep, step);
        if (!wasActive && isActive(st, track)) st.activeWorkersValid = false;
        if (newStep) forgetSilentWorkers(st);
        if (step <= st.lastJudgedStep) return Outcome.dropped();
        DivergenceState.PendingStep p = pendingFor(st, step);
        if (p.norms.containsKey(workerId)) return Outcome.dropped();
        p.norms.put(workerId, gradL2);
        p.timestampMs = Math.max(p.timestampMs, timestampMs);
        st.layerIndex = layerIndex;
        st.layerName = layerName;
        st.layerKind = layerKind;

        Outcome out = Outcome.accepted();
        // until enough workers have shown up, a step waits: the roster is learnt from the first steps
        int expected = Math.max(activeWorkers(st), cfg.divergenceMinWorkers());
        while (!st.pending.isEmpty()) {
            DivergenceState.PendingStep oldest = st.pending.get(0);
            boolean complete = oldest.norms.size() >= expected;
            boolean overdue = oldest.step <= st.newestStep - lagSteps();
            if (!complete && !overdue) break;
            st.pending.remove(0);
            judgeStep(st, runId, oldest, out);
        }
        return out;
    }

    private static DivergenceState.PendingStep pendingFor(DivergenceState st, long step) {
        // steps mostly arrive in order, for the newest pending step or the next: look from the newest end
        int i = st.pending.size();
        while (i > 0 && st.pending.get(i - 1).step > step) i--;
        if (i > 0 && st.pending.get(i - 1).step == step) return st.pending.get(i - 1);
        DivergenceState.PendingStep p = new DivergenceState.PendingStep();
        p.step = step;
        st.pending.add(i, p);
        return p;
    }

    /**
     * Workers that reported within the lag: whom a step waits for. Counted again only when the newest
     * step moved, the roster changed or a worker came back within the lag, not for every norm.
     */
    private int activeWorkers(DivergenceState st) {
        if (st.activeWorkersValid && st.activeWorkersAtStep == st.newestStep) return st.activeWorkers;
        int n = 0;
        for (DivergenceState.WorkerTrack t : st.workers.values()) {
            if (isActive(st, t)) n++;
        }
        st.activeWorkers = n;
        st.activeWorkersAtStep = st.newestStep;
        st.activeWorkersValid = true;
        return n;
    }

    private boolean isActive(DivergenceState st, DivergenceState.WorkerTrack t) {
        return t.lastSeenStep > st.newestStep - lagSteps();
    }

    private void judgeStep(DivergenceState st, String runId, DivergenceState.PendingStep p, Outcome out) {
        long previous = st.lastJudgedStep;
        st.lastJudgedStep = p.step;
        Map<String, Double> z = WorkerDivergenceDetector.scores(p.norms, cfg.divergenceMinWorkers());
        double[] norms = new double[p.norms.size()];
        int k = 0;
        for (double v : p.norms.values()) norms[k++] = v;
        double median = WorkerDivergenceDetector.median(norms);
        for (Map.Entry<String, Double> e : p.norms.entrySet()) {
            DivergenceState.WorkerTrack t = st.workers.get(e.getKey());
            if (t == null) continue;
            t.scores.reshape(cfg.windowSize(), COLUMNS);
            if (t.scores.lastStep >= p.step) continue;
            t.scores.add(p.step, z.getOrDefault(e.getKey(), Double.NaN), e.getValue(), median, p.norms.size());
        }
        // close every window that ended since the previous judged step (at most one window back)
        long from = Math.max(previous + 1, p.step - cfg.windowSize() + 1);
        for (long end = from; end <= p.step; end++) {
            if (!windows.endsAt(end)) continue;
            for (Map.Entry<String, DivergenceState.WorkerTrack> e : st.workers.entrySet()) {
                closeWindow(st, runId, e.getKey(), e.getValue(), end, p.timestampMs, out);
            }
        }
    }

    private void closeWindow(DivergenceState st, String runId, String workerId, DivergenceState.WorkerTrack t,
                             long end, long timestampMs, Outcome out) {
        if (t.scores.isEmpty()) return;
        long start = windows.startOf(end);
        Series zs = t.scores.series(Z, start, end);
        // too few comparisons in this window (the worker or its peers were missing): no verdict either way
        if (zs.finiteOnly().size() < windows.minSamples()) return;
        Subject who = new Subject(runId, workerId, st.layerIndex, st.layerName, st.layerKind);
        // the verdict names the worker's norm, the median and the fleet size at the window's last judged step
        int last = t.scores.endIndex(end) - 1;
        var verdict = WorkerDivergenceDetector.diverging(who, zs, cfg.divergenceZ(), windows.minSamples(),
                t.scores.valueAt(NORM, last), t.scores.valueAt(MEDIAN, last), (int) t.scores.valueAt(WORKERS, last));
        judge.judge(t.latches, Rules.WORKER_DIVERGENCE, verdict, who, end, timestampMs,
                () -> Judge.windowEvidence("ZScore", zs), out);
    }

    @Override
    public java.util.List<dev.gradwatch.events.Alert> closeAll(DivergenceState st, String runId, String workerId,
                                                               int layerIndex, long timestampMs, String reason) {
        java.util.List<dev.gradwatch.events.Alert> out = new java.util.ArrayList<>();
        for (Map.Entry<String, DivergenceState.WorkerTrack> e : new java.util.TreeMap<>(st.workers).entrySet()) {
            if (workerId != null && !workerId.equals(e.getKey())) continue;
            Subject who = new Subject(runId, e.getKey(), st.layerIndex, st.layerName, st.layerKind);
            out.addAll(Alerts.closeAll(e.getValue().latches, who, e.getValue().lastSeenStep, timestampMs, reason));
        }
        return out;
    }

    /**
     * A worker finished: its firing alerts here are resolved and it leaves the roster, so later steps
     * stop waiting for it; when it was the last worker of the run seen here, the caller forgets the key.
     */
    public Outcome onEndOfRun(DivergenceState st, String runId, String workerId, long stepsTaken, long timestampMs) {
        DivergenceState.WorkerTrack t = st.workers.remove(workerId);
        st.activeWorkersValid = false;
        Outcome out = st.workers.isEmpty() ? Outcome.endOfRun() : Outcome.accepted();
        if (t != null) {
            Subject who = new Subject(runId, workerId, st.layerIndex, st.layerName, st.layerKind);
            Alerts.closeAll(t.latches, who, t.lastSeenStep, timestampMs, StepMonitor.endReason(stepsTaken))
                    .forEach(out::alert);
        }
        return out;
    }

    /** Drops workers silent for twice the lag with nothing firing; runs when the newest step moves. */
    private void forgetSilentWorkers(DivergenceState st) {
        Iterator<Map.Entry<String, DivergenceState.WorkerTrack>> it = st.workers.entrySet().iterator();
        while (it.hasNext()) {
            DivergenceState.WorkerTrack t = it.next().getValue();
            // silent for twice the lag: not active, so the count of active workers stays as it is
            if (t.latches.isEmpty() && t.lastSeenStep < st.newestStep - 2L * lagSteps()) it.remove();
        }
    }
}
