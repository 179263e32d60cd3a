package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.LayerStats;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The per-(run, worker, layer) view: keeps the last window of one layer's samples and runs the
 * layer rules on it: vanishing (whole window under the floor), exploding (over the ceiling,
 * judged at once on each sample and again on each window), explosive growth (within a window),
 * a spike of the norm (judged at once against the lookback before the sample), dead ReLU units
 * and saturated units (whole window, from the optional fractions), and the update-to-weight ratio
 * outside its band (window median).
 *
 * <p>State per key: a ring of {@link DetectorConfig#historySteps()} samples (21 by default) of
 * {@value #COLUMNS} doubles and a step each, and a latch per firing rule.
 *
 * <p>Pure Java; the Flink operator around it only loads the state, calls {@link #onSample} and
 * stores it back.
 */
public final class LayerMonitor implements ClosesState<LayerState> {

    static final int GRAD_L2 = 0;
    /** 1 where the sample was a spike, 0 where it was not, NaN where it could not be judged. */
    static final int SPIKE = 1;
    /** The optional fractions: NaN where the sample did not carry the field. */
    static final int DEAD = 2;
    static final int SATURATED = 3;
    static final int UPDATE_RATIO = 4;
    /** ln of {@link #GRAD_L2}, NaN where the norm was not finite and positive: the spike lookback, each logarithm taken once. */
    static final int LOG_GRAD_L2 = 5;
    static final int COLUMNS = 6;

    private final DetectorConfig cfg;
    private final StepWindows windows;
    private final Judge judge;

    public LayerMonitor(DetectorConfig cfg) {
        this.cfg = cfg;
        this.windows = cfg.windows();
        this.judge = new Judge(cfg);
    }

    public Outcome onSample(LayerState st, LayerSample s) {
        if (st.ring.lastStep >= s.step()) return Outcome.dropped();
        prepareRing(st.ring);
        Outcome out = Outcome.accepted();
        LayerStats l = s.layer();
        Subject who = new Subject(s.runId(), s.workerId(), l.index(), l.name(), l.kind());

        for (long end : windows.endsSkipped(st.ring.lastStep, s.step())) {
            closeWindow(st, who, end, st.lastTimestampMs, out);
        }
        double norm = l.gradL2();
        Optional<Finding> spike = SpikeDetector.gradient(who, st.ring, LOG_GRAD_L2, s.step() - cfg.spikeLookback(),
                s.step() - 1, s.step(), norm, cfg.spikeZ(), cfg.spikeMinRatio(), cfg.growthMinNorm(), s.learningRate());
        st.ring.add(s.step(), norm, spike.isPresent() ? 1 : 0, orNaN(l.deadFraction()),
                orNaN(l.saturatedFraction()), l.updateRatio(), SpikeDetector.logOrNaN(norm));
        st.layerName = l.name();
        st.layerKind = l.kind();
        st.learningRate = s.learningRate();
        st.lastTimestampMs = s.timestampMs();

        // over the ceiling is announced at once, not at the end of the window (NaN and ±∞ are the
        // non-finite rule's: only a finite norm over the ceiling can fire here)
        if (norm > cfg.explodingCeiling()) {
            Optional<Finding> over = ExplodingGradientDetector.overCeiling(who, Series.of(s.step(), norm),
                    cfg.explodingCeiling(), s.learningRate());
            judge.judge(st.latches, Rules.EXPLODING_GRADIENT, over, who, s.step(), s.timestampMs(), null, out);
        }
        if (spike.isPresent()) {
            judge.judge(st.latches, Rules.EXPLODING_GRADIENT_SPIKE, spike, who, s.step(), s.timestampMs(), null, out);
        }
        if (windows.endsAt(s.step())) closeWindow(st, who, s.step(), s.timestampMs(), out);
        return out;
    }

    /**
     * Gives the ring this configuration's capacity and columns. A ring restored from a checkpoint
     * taken before {@link #LOG_GRAD_L2} existed gets that column computed from its norms, so that the
     * spike lookback is whole at once.
     */
    private void prepareRing(SampleRing ring) {
        if (ring.reshapeAdding(cfg.historySteps(), COLUMNS, LOG_GRAD_L2)) {
            ring.derive(LOG_GRAD_L2, GRAD_L2, SpikeDetector::logOrNaN);
        }
    }

    @Override
    public java.util.List<dev.gradwatch.events.Alert> closeAll(LayerState st, String runId, String workerId,
                                                               int layerIndex, long timestampMs, String reason) {
        return Alerts.closeAll(st.latches, new Subject(runId, workerId, layerIndex, st.layerName, st.layerKind),
                st.ring.lastStep, timestampMs, reason);
    }

    private static double orNaN(Double v) {
        return v == null ? Double.NaN : v;
    }

    private void closeWindow(LayerState st, Subject who, long end, long timestampMs, Outcome out) {
        long start = windows.startOf(end);
        Series w = st.ring.series(GRAD_L2, start, end);
        if (w.size() < windows.minSamples()) return;
        boolean whole = st.ring.firstStep <= start;
        Supplier<Map<String, Double>> evidence = () -> Judge.windowEvidence("GradL2", w);

        // a window with a non-finite norm is inconclusive for the vanishing rule: the latch is left as it is
        if (!whole || VanishingGradientDetector.isConclusive(w)) {
            judge.judge(st.latches, Rules.VANISHING_GRADIENT,
                    whole ? VanishingGradientDetector.inLayer(who, w, cfg.vanishingFloor()) : Optional.empty(),
                    who, end, timestampMs, evidence, out);
        }
        judge.judge(st.latches, Rules.EXPLODING_GRADIENT,
                ExplodingGradientDetector.overCeiling(who, w, cfg.explodingCeiling(), st.learningRate),
                who, end, timestampMs, evidence, out);
        judge.judge(st.latches, Rules.EXPLODING_GRADIENT_GROWTH,
                whole ? ExplodingGradientDetector.growth(who, w, cfg.growthFactor(), cfg.vanishingFloor(), cfg.growthMinNorm(),
                        st.learningRate) : Optional.empty(),
                who, end, timestampMs, evidence, out);

        // spikes fire at their step; windows keep the alert alive while spikes recur, or resolve it
        if (st.latches.containsKey(Rules.EXPLODING_GRADIENT_SPIKE)) {
            Series spikes = st.ring.series(SPIKE, start, end);
            judge.sustain(st.latches, Rules.EXPLODING_GRADIENT_SPIKE, spikes.maxFinite() > 0, who, end, timestampMs,
                    evidence, out);
        }

        int min = windows.minSamples();
        Series dead = st.ring.series(DEAD, start, end);
        judge.judge(st.latches, Rules.DEAD_RELU,
                whole ? ActivationDetector.deadRelu(who, dead, cfg.deadFraction(), min, st.learningRate) : Optional.empty(),
                who, end, timestampMs, () -> Judge.windowEvidence("DeadFraction", dead.finiteOnly()), out);
        Series saturated = st.ring.series(SATURATED, start, end);
        judge.judge(st.latches, Rules.ACTIVATION_SATURATION,
                whole ? ActivationDetector.saturation(who, saturated, cfg.saturatedFraction(), min, st.learningRate)
                        : Optional.empty(),
                who, end, timestampMs, () -> Judge.windowEvidence("SaturatedFraction", saturated.finiteOnly()), out);
        Series update = st.ring.series(UPDATE_RATIO, start, end);
        judge.judge(st.latches, Rules.UPDATE_RATIO_OUT_OF_BAND,
                whole ? UpdateRatioDetector.outOfBand(who, update, cfg.updateRatioMinLog10(), cfg.updateRatioMaxLog10(),
                        min, st.learningRate) : Optional.empty(),
                who, end, timestampMs, () -> Judge.windowEvidence("UpdateRatio", update), out);
    }
}
