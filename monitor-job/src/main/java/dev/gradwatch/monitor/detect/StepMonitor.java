package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;

import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The per-(run, worker) view over whole steps: non-finite gradients and loss, announced at the
 * step where they appear; the cross-layer rules (first-layer / last-layer gradient norm under
 * the ratio floor, and the average per-layer attenuation factor under its floor, for a whole
 * window); a loss spike (judged at once against the lookback); and the loss not decreasing.
 *
 * <p>State per key: a ring of {@link DetectorConfig#historySteps()} steps (21 by default) of
 * {@value #COLUMNS} doubles and a step each, the loss's progress memory, and a latch per firing rule.
 *
 * <p>Pure Java; the Flink operator around it only loads the state, calls {@link #onStep} and
 * stores it back.
 */
public final class StepMonitor implements ClosesState<StepState> {

    static final int FIRST_NORM = 0;
    static final int LAST_NORM = 1;
    static final int NON_FINITE_LAYERS = 2;
    static final int NON_FINITE_LOSS = 3;
    static final int ATTENUATION = 4;
    static final int LOSS = 5;
    /** 1 where the step's loss was a spike, 0 where not, NaN where it could not be judged. */
    static final int LOSS_SPIKE = 6;
    static final int GLOBAL_NORM = 7;
    /** ln of {@link #LOSS} and of {@link #GLOBAL_NORM}, NaN where not finite and positive: each logarithm taken once. */
    static final int LOG_LOSS = 8;
    static final int LOG_GLOBAL_NORM = 9;
    static final int COLUMNS = 10;

    private final DetectorConfig cfg;
    private final StepWindows windows;
    private final Judge judge;

    public StepMonitor(DetectorConfig cfg) {
        this.cfg = cfg;
        this.windows = cfg.windows();
        this.judge = new Judge(cfg);
    }

    public Outcome onStep(StepState st, StepStats s) {
        if (s.endsRun()) {
            // the worker finished normally: close what still fires, and let the caller forget the worker
            Outcome end = Outcome.endOfRun();
            closeAll(st, s.runId(), s.workerId(), -1, s.timestampMs(), endReason(s.step()))
                    .forEach(end::alert);
            return end;
        }
        if (st.ring.lastStep >= s.step()) {
            // too late for the windows, but a non-finite value is announced whenever it arrives
            Outcome late = Outcome.dropped();
            judgeNonFinite(st, Subject.step(s.runId(), s.workerId(), st.layerKinds), s, late);
            return late;
        }
        prepareRing(st.ring);
        Outcome out = Outcome.accepted();

        for (long end : windows.endsSkipped(st.ring.lastStep, s.step())) {
            closeWindow(st, Subject.step(s.runId(), s.workerId(), st.layerKinds), end, st.lastTimestampMs, out);
        }

        LayerStats first = null;
        LayerStats last = null;
        int nonFiniteLayers = 0;
        for (LayerStats l : s.layers()) {
            if (first == null || l.index() < first.index()) first = l;
            if (last == null || l.index() > last.index()) last = l;
            if (l.hasNonFinite()) nonFiniteLayers++;
        }
        boolean twoEnds = first != null && first != last;
        double globalNorm = s.globalGradL2();
        st.layerKinds = layerKinds(st, s);
        st.depth = twoEnds ? last.index() - first.index() + 1 : s.layers().size();
        st.lastTimestampMs = s.timestampMs();
        st.learningRate = s.learningRate();
        Subject who = Subject.step(s.runId(), s.workerId(), st.layerKinds);

        long from = s.step() - cfg.spikeLookback();
        Optional<Finding> lossSpike = SpikeDetector.loss(who, st.ring, LOG_LOSS, from, s.step() - 1, s.step(),
                s.loss(), cfg.lossSpikeZ(), cfg.lossSpikeMinRatio(), s.learningRate(), globalNorm, LOG_GLOBAL_NORM);
        st.ring.add(s.step(),
                twoEnds ? first.gradL2() : Double.NaN,
                twoEnds ? last.gradL2() : Double.NaN,
                nonFiniteLayers,
                Double.isFinite(s.loss()) ? 0 : 1,
                attenuation(s),
                s.loss(),
                lossSpike.isPresent() ? 1 : 0,
                globalNorm,
                SpikeDetector.logOrNaN(s.loss()),
                SpikeDetector.logOrNaN(globalNorm));

        judgeNonFinite(st, who, s, out);
        if (lossSpike.isPresent()) {
            judge.judge(st.latches, Rules.LOSS_SPIKE, lossSpike, who, s.step(), s.timestampMs(), null, out);
        }
        if (windows.endsAt(s.step())) closeWindow(st, who, s.step(), s.timestampMs(), out);
        return out;
    }

    @Override
    public java.util.List<dev.gradwatch.events.Alert> closeAll(StepState st, String runId, String workerId,
                                                               int layerIndex, long timestampMs, String reason) {
        return Alerts.closeAll(st.latches, Subject.step(runId, workerId, st.layerKinds), st.ring.lastStep,
                timestampMs, reason);
    }

    /**
     * Gives the ring this configuration's capacity and columns; a ring restored from a checkpoint
     * taken before the logarithm columns existed gets them computed from its losses and norms.
     */
    private void prepareRing(SampleRing ring) {
        if (ring.reshapeAdding(cfg.historySteps(), COLUMNS, LOG_LOSS)) {
            ring.derive(LOG_LOSS, LOSS, SpikeDetector::logOrNaN);
            ring.derive(LOG_GLOBAL_NORM, GLOBAL_NORM, SpikeDetector::logOrNaN);
        }
    }

    /**
     * The distinct layer kinds of the step, sorted and joined with commas; the previous step's string
     * when the layers' kinds are the same, as they are for almost every step of a run.
     */
    private static String layerKinds(StepState st, StepStats s) {
        List<LayerStats> layers = s.layers();
        String[] previous = st.kindsByPosition;
        boolean same = previous != null && previous.length == layers.size();
        for (int i = 0; same && i < previous.length; i++) same = previous[i].equals(layers.get(i).kind());
        if (same) return st.layerKinds;
        String[] kinds = new String[layers.size()];
        TreeSet<String> distinct = new TreeSet<>();
        for (int i = 0; i < kinds.length; i++) {
            kinds[i] = layers.get(i).kind();
            distinct.add(kinds[i]);
        }
        st.kindsByPosition = kinds;
        return String.join(",", distinct);
    }

    /** Why alerts close at an end-of-run marker, whose step is the number of steps taken. */
    public static String endReason(long stepsTaken) {
        return "the run ended (worker finished after " + stepsTaken + " steps), state cleared";
    }

    /** Non-finite values are announced at the step where they appear, without waiting for a window. */
    private void judgeNonFinite(StepState st, Subject who, StepStats s, Outcome out) {
        Optional<Finding> grad = NonFiniteDetector.gradient(who, s);
        if (grad.isPresent()) {
            judge.judge(st.latches, Rules.NON_FINITE_GRADIENT, grad, who, s.step(), s.timestampMs(), null, out);
        }
        Optional<Finding> loss = NonFiniteDetector.loss(who, s);
        if (loss.isPresent()) {
            judge.judge(st.latches, Rules.NON_FINITE_LOSS, loss, who, s.step(), s.timestampMs(), null, out);
        }
    }

    private void closeWindow(StepState st, Subject who, long end, long timestampMs, Outcome out) {
        long start = windows.startOf(end);
        Series firstNorm = st.ring.series(FIRST_NORM, start, end);
        if (firstNorm.size() < windows.minSamples()) return;
        Series lastNorm = st.ring.series(LAST_NORM, start, end);
        Series ratio = ratio(firstNorm, lastNorm);
        boolean whole = st.ring.firstStep <= start;

        // a window with a non-finite ratio or factor is inconclusive: the latch is left as it is
        if (!whole || VanishingGradientDetector.isConclusive(ratio)) {
            judge.judge(st.latches, Rules.VANISHING_GRADIENT_DEPTH,
                    whole ? VanishingGradientDetector.acrossDepth(who, ratio, cfg.ratioFloor(), firstNorm.last(),
                            lastNorm.last(), st.depth) : Optional.empty(),
                    who, end, timestampMs, () -> Judge.windowEvidence("Ratio", ratio), out);
        }

        // windows only keep an already firing non-finite alert alive or let it resolve; firing
        // happens at the step itself
        Series nonFinite = st.ring.series(NON_FINITE_LAYERS, start, end);
        judge.sustain(st.latches, Rules.NON_FINITE_GRADIENT, nonFinite.maxFinite() > 0, who, end, timestampMs,
                () -> Judge.windowEvidence("NonFiniteLayers", nonFinite), out);
        Series lossBad = st.ring.series(NON_FINITE_LOSS, start, end);
        judge.sustain(st.latches, Rules.NON_FINITE_LOSS, lossBad.maxFinite() > 0, who, end, timestampMs,
                () -> Judge.windowEvidence("NonFiniteLoss", lossBad), out);

        Series factor = st.ring.series(ATTENUATION, start, end);
        if (!whole || VanishingGradientDetector.isConclusive(factor)) {
            judge.judge(st.latches, Rules.VANISHING_GRADIENT_ATTENUATION,
                    whole ? VanishingGradientDetector.attenuation(who, factor, cfg.attenuationFloor(), st.depth)
                            : Optional.empty(),
                    who, end, timestampMs, () -> Judge.windowEvidence("AttenuationPerLayer", factor), out);
        }

        Series loss = st.ring.series(LOSS, start, end);
        Series spikes = st.ring.series(LOSS_SPIKE, start, end);
        judge.sustain(st.latches, Rules.LOSS_SPIKE, spikes.maxFinite() > 0, who, end, timestampMs,
                () -> Judge.windowEvidence("Loss", loss), out);

        double mean = loss.meanFinite();
        st.plateau.observe(mean, end, cfg.lossMinDecrease());
        judge.judge(st.latches, Rules.LOSS_NOT_DECREASING,
                LossDetector.notDecreasing(who, st.plateau, end, mean, cfg.lossMinDecrease(), cfg.lossPatienceSteps(),
                        st.learningRate),
                who, end, timestampMs, () -> Judge.windowEvidence("Loss", loss), out);
    }

    /** The step's average per-layer attenuation factor over its layers in index order. */
    private static double attenuation(StepStats s) {
        List<LayerStats> layers = s.layers();
        if (layers.size() < 3) return Double.NaN;
        // the codec writes layers input side first: sort only a step that came otherwise
        boolean ordered = true;
        for (int i = 1; ordered && i < layers.size(); i++) ordered = layers.get(i - 1).index() < layers.get(i).index();
        if (!ordered) layers = layers.stream().sorted(java.util.Comparator.comparingInt(LayerStats::index)).toList();
        double[] norms = new double[layers.size()];
        for (int i = 0; i < norms.length; i++) norms[i] = layers.get(i).gradL2();
        return VanishingGradientDetector.attenuationFactor(norms);
    }

    private static Series ratio(Series first, Series last) {
        double[] r = new double[first.size()];
        for (int i = 0; i < r.length; i++) {
            double f = first.values()[i];
            double l = last.values()[i];
            r[i] = l > 0 && Double.isFinite(l) && Double.isFinite(f) ? f / l : Double.NaN;
        }
        return new Series(first.steps(), r);
    }
}
