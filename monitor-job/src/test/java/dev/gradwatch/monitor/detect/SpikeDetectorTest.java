package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.Alert;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpikeDetectorTest {

    private static final Subject LAYER = new Subject("run-1", "w0", 3, "dense3", "dense/relu");
    private static final DetectorConfig CFG = DetectorConfig.DEFAULTS;

    /** log-normal-ish jitter of about ±10% that repeats every 7 steps. */
    private static double jitter(int i) {
        return Math.exp(0.1 * Math.sin(i * 2.3));
    }

    private static Series quiet(long first, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 2.0 * jitter(i);
        return Series.of(first, v);
    }

    @Test
    void firesWhenTheNormJumpsFourfoldOutOfAQuietSeries() {
        Finding f = SpikeDetector.gradient(LAYER, quiet(100, 20), 120, 8.0, CFG.spikeZ(), CFG.spikeMinRatio(),
                CFG.growthMinNorm(), 0.01).orElseThrow();
        assertEquals(Rules.EXPLODING_GRADIENT_SPIKE, f.rule());
        assertEquals(120, f.step());
        assertEquals(3, f.layerIndex());
        assertEquals(4.0, f.evidence().get("ratio"), 0.2);
        assertTrue(f.evidence().get("zScore") > CFG.spikeZ());
        assertEquals(100.0, f.evidence().get("lookbackFirstStep"));
        assertTrue(f.remedy().contains("4.0"), f.remedy());
    }

    @Test
    void staysQuietOnOrdinaryJitterAndOnAJumpTooSmallToMatter() {
        assertTrue(SpikeDetector.gradient(LAYER, quiet(0, 20), 20, 2.0 * 1.3, CFG.spikeZ(), CFG.spikeMinRatio(),
                CFG.growthMinNorm(), 0.01).isEmpty());
        // a large z-score but only 2x: a very quiet series wobbling
        assertTrue(SpikeDetector.gradient(LAYER, quiet(0, 20), 20, 4.0, CFG.spikeZ(), CFG.spikeMinRatio(),
                CFG.growthMinNorm(), 0.01).isEmpty());
        // a 100x jump among vanished gradients is not an explosion
        double[] tiny = new double[20];
        for (int i = 0; i < 20; i++) tiny[i] = 1e-9 * jitter(i);
        assertTrue(SpikeDetector.gradient(LAYER, Series.of(0, tiny), 20, 1e-7, CFG.spikeZ(), CFG.spikeMinRatio(),
                CFG.growthMinNorm(), 0.01).isEmpty());
    }

    @Test
    void needsHalfTheLookbackBeforeJudging() {
        assertTrue(SpikeDetector.gradient(LAYER, quiet(0, 9).finiteOnly(), 20, 100, CFG.spikeZ(), 3, 1, 0.01)
                .isPresent());
        Series sparse = new Series(new long[] {0, 1}, new double[] {2, 2});
        assertTrue(SpikeDetector.gradient(LAYER, new Series(new long[0], new double[0]), 20, 100, 8, 3, 1, 0.01).isEmpty());
        assertTrue(SpikeDetector.score(sparse, 100, 10).isEmpty());
    }

    @Test
    void theLayerMonitorFiresAtTheSpikeStepAndResolvesAfterTwoClearWindows() {
        LayerMonitor monitor = new LayerMonitor(CFG);
        LayerState st = new LayerState();
        List<Alert> alerts = new ArrayList<>();
        for (int s = 0; s < 60; s++) {
            double norm = s == 33 ? 10.0 : 2.0 * jitter(s);
            alerts.addAll(monitor.onSample(st, new LayerSample("run-1", "w0", s, s, 0.01,
                    StatsFixtures.layer(3, "dense/relu", norm))).alerts());
        }
        assertEquals(List.of(Rules.EXPLODING_GRADIENT_SPIKE, Rules.EXPLODING_GRADIENT_SPIKE),
                alerts.stream().map(Alert::rule).toList(), alerts.toString());
        assertEquals(Alert.FIRING, alerts.get(0).status());
        assertEquals(33, alerts.get(0).step());
        assertEquals("exploding_gradient_spike:run-1:w0:3", alerts.get(0).fingerprint());
        // windows ending 34 and 39 hold step 33; 44 and 49 are clear
        assertEquals(Alert.RESOLVED, alerts.get(1).status());
        assertEquals(49, alerts.get(1).step());
    }

    @Test
    void theStepMonitorFiresOnALossSpikeAndNamesTheGradientJumpBehindIt() {
        StepMonitor monitor = new StepMonitor(CFG);
        StepState st = new StepState();
        List<Alert> alerts = new ArrayList<>();
        for (int s = 0; s < 60; s++) {
            double loss = (s == 40 ? 5.0 : 0.5) * jitter(s);
            double g = s == 40 ? 8.0 : 1.0;
            alerts.addAll(monitor.onStep(st, StatsFixtures.step("run-1", "w0", s, loss, "dense/relu", g, g, g)).alerts());
        }
        assertEquals(List.of(Alert.FIRING, Alert.RESOLVED), alerts.stream().map(Alert::status).toList(), alerts.toString());
        Alert a = alerts.get(0);
        assertEquals(Rules.LOSS_SPIKE, a.rule());
        assertEquals(40, a.step());
        assertEquals(8.0, a.evidence().get("globalGradL2") / a.evidence().get("lookbackGeoMeanGlobalGradL2"), 1e-9);
        assertTrue(a.remedy().contains("optimisation instability"), a.remedy());
        // windows ending 44 and 49 hold step 40; 54 and 59 are clear
        assertEquals(59, alerts.get(1).step());
    }

    @Test
    void theGradientSpikeIsAnnouncedBeforeTheLossSpikeItLeads() {
        // as in BLOOM-176B's logbook: the norm jumps at step 30, the loss follows from step 31 and peaks at 34
        LayerMonitor layers = new LayerMonitor(CFG);
        StepMonitor steps = new StepMonitor(CFG);
        LayerState layerState = new LayerState();
        StepState stepState = new StepState();
        long gradientAlert = -1;
        long lossAlert = -1;
        for (int s = 0; s < 40; s++) {
            double g = (s == 30 ? 5.0 : s > 30 && s < 35 ? 2.0 : 1.0) * jitter(s);
            double loss = (s >= 31 && s <= 34 ? 2 + 2 * (s - 30) : 1.0) * 0.5 * jitter(s + 3);
            var stats = StatsFixtures.step("run-b", "w0", s, loss, "dense/relu", g);
            for (Alert a : layers.onSample(layerState, new LayerSample("run-b", "w0", s, s, 0.01, stats.layers().get(0)))
                    .alerts()) {
                if (a.rule().equals(Rules.EXPLODING_GRADIENT_SPIKE) && gradientAlert < 0) gradientAlert = a.step();
            }
            for (Alert a : steps.onStep(stepState, stats).alerts()) {
                if (a.rule().equals(Rules.LOSS_SPIKE) && lossAlert < 0) lossAlert = a.step();
            }
        }
        assertEquals(30, gradientAlert);
        assertEquals(31, lossAlert, "the loss spike follows one step later");
    }

    /**
     * The ring path (logarithms stored once per sample) must give the same verdicts and numbers as
     * the series path it replaces in the layer monitor, on lookbacks with gaps, zeros, NaN and ±∞.
     */
    @Test
    void theRingLookbackGivesTheSameVerdictsAsTheSeriesLookback() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
        double[] odd = {0.0, Double.NaN, Double.POSITIVE_INFINITY, -1.0};
        int spikes = 0;
        int lossSpikes = 0;
        for (int trial = 0; trial < 3000; trial++) {
            SampleRing ring = SampleRing.create(21, 2);
            long step = 0;
            int held = rng.nextInt(0, 40);
            for (int i = 0; i < held; i++) {
                step += rng.nextInt(1, 3); // gaps: some lookbacks hold fewer samples than steps
                double v = rng.nextInt(12) == 0 ? odd[rng.nextInt(odd.length)] : Math.exp(rng.nextGaussian() * 0.3);
                ring.add(step, v, SpikeDetector.logOrNaN(v));
            }
            long now = step + 1;
            double value = rng.nextBoolean() ? Math.exp(rng.nextGaussian() * 0.3) : rng.nextDouble(1, 40);
            long from = now - CFG.spikeLookback();
            var bySeries = SpikeDetector.gradient(LAYER, ring.series(0, from, now - 1), now, value, CFG.spikeZ(),
                    CFG.spikeMinRatio(), CFG.growthMinNorm(), 0.01);
            var byRing = SpikeDetector.gradient(LAYER, ring, 1, from, now - 1, now, value, CFG.spikeZ(),
                    CFG.spikeMinRatio(), CFG.growthMinNorm(), 0.01);
            assertEquals(bySeries.isPresent(), byRing.isPresent(), "trial " + trial);
            if (bySeries.isPresent()) {
                spikes++;
                assertEquals(bySeries.get().evidence(), byRing.get().evidence(), "trial " + trial);
                assertEquals(bySeries.get().summary(), byRing.get().summary());
            }
            // the loss rule reads the same kind of lookback (no floor on the value), with the geometric mean of a column
            Series lookback = ring.series(0, from, now - 1);
            double geo = SpikeDetector.geoMean(ring, 1, from, now - 1);
            var lossBySeries = SpikeDetector.loss(LAYER, lookback, now, value, CFG.lossSpikeZ(), CFG.lossSpikeMinRatio(),
                    0.01, 2.0, geo);
            var lossByRing = SpikeDetector.loss(LAYER, ring, 1, from, now - 1, now, value, CFG.lossSpikeZ(),
                    CFG.lossSpikeMinRatio(), 0.01, 2.0, 1);
            assertEquals(lossBySeries.map(Finding::evidence), lossByRing.map(Finding::evidence), "trial " + trial);
            assertEquals(lossBySeries.map(Finding::summary), lossByRing.map(Finding::summary), "trial " + trial);
            if (lossBySeries.isPresent()) lossSpikes++;
            double logSum = 0;
            int positive = 0;
            for (double v : lookback.values()) {
                if (v > 0 && Double.isFinite(v)) {
                    logSum += Math.log(v);
                    positive++;
                }
            }
            assertEquals(positive == 0 ? Double.NaN : Math.exp(logSum / positive), geo, "trial " + trial);
        }
        assertTrue(spikes > 100, "the trials must include spikes, got " + spikes);
        assertTrue(lossSpikes > 100, "the trials must include loss spikes, got " + lossSpikes);
    }
}
