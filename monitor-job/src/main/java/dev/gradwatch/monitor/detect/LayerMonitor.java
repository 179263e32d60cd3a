package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.LayerStats;

import java.util.Optional;

/**
 * The per-(run, worker, layer) view: keeps the last window of one layer's samples and runs the
 * layer rules on it: vanishing (whole window under the floor), exploding (over the ceiling,
 * judged at once on each sample and again on each window), explosive growth (within a window).
 *
 * <p>Pure Java; the Flink operator around it only loads the state, calls {@link #onSample} and
 * stores it back.
 */
public final class LayerMonitor {

    static final int GRAD_L2 = 0;
    static final int COLUMNS = 1;

    private final DetectorConfig cfg;
    private final StepWindows windows;
    private final Judge judge;

    public LayerMonitor(DetectorConfig cfg) {
        this.cfg = cfg;
        this.windows = cfg.windows();
        this.judge = new Judge(cfg.resolveAfterWindows());
    }

    public Outcome onSample(LayerState st, LayerSample s) {
        if (st.ring.lastStep >= s.step()) return Outcome.dropped();
        st.ring.reshape(cfg.windowSize(), COLUMNS);
        Outcome out = Outcome.accepted();
        LayerStats l = s.layer();
        Subject who = new Subject(s.runId(), s.workerId(), l.index(), l.name(), l.kind());

        for (long end : windows.endsSkipped(st.ring.lastStep, s.step())) {
            closeWindow(st, who, end, st.lastTimestampMs, out);
        }
        st.ring.add(s.step(), l.gradL2());
        st.layerName = l.name();
        st.layerKind = l.kind();
        st.learningRate = s.learningRate();
        st.lastTimestampMs = s.timestampMs();

        // over the ceiling is announced at once, not at the end of the window
        Optional<Finding> over = ExplodingGradientDetector.overCeiling(who, Series.of(s.step(), l.gradL2()),
                cfg.explodingCeiling(), s.learningRate());
        if (over.isPresent()) {
            judge.judge(st.latches, Rules.EXPLODING_GRADIENT, over, who, s.step(), s.timestampMs(), null, out);
        }
        if (windows.endsAt(s.step())) closeWindow(st, who, s.step(), s.timestampMs(), out);
        return out;
    }

    private void closeWindow(LayerState st, Subject who, long end, long timestampMs, Outcome out) {
        long start = windows.startOf(end);
        Series w = st.ring.series(GRAD_L2, start, end);
        if (w.size() < windows.minSamples()) return;
        boolean whole = st.ring.firstStep <= start;
        var evidence = Judge.windowEvidence("GradL2", w);

        judge.judge(st.latches, Rules.VANISHING_GRADIENT,
                whole ? VanishingGradientDetector.inLayer(who, w, cfg.vanishingFloor()) : Optional.empty(),
                who, end, timestampMs, evidence, out);
        judge.judge(st.latches, Rules.EXPLODING_GRADIENT,
                ExplodingGradientDetector.overCeiling(who, w, cfg.explodingCeiling(), st.learningRate),
                who, end, timestampMs, evidence, out);
        judge.judge(st.latches, Rules.EXPLODING_GRADIENT_GROWTH,
                whole ? ExplodingGradientDetector.growth(who, w, cfg.growthFactor(), cfg.vanishingFloor(), cfg.growthMinNorm(),
                        st.learningRate) : Optional.empty(),
                who, end, timestampMs, evidence, out);
    }
}
