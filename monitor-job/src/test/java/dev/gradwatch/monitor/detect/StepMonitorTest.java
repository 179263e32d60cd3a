package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepMonitorTest {

    private final StepMonitor monitor = new StepMonitor(DetectorConfig.DEFAULTS);

    private List<Alert> feed(StepState st, List<StepStats> steps) {
        List<Alert> alerts = new ArrayList<>();
        for (StepStats s : steps) alerts.addAll(monitor.onStep(st, s).alerts());
        return alerts;
    }

    @Test
    void firesTheDepthRuleWhenTheFirstLayerIsStarvedForAWholeWindow() {
        List<Alert> alerts = feed(new StepState(), StatsFixtures.vanishing("run-v", "w0", 30));
        // the 10x shrink per layer also trips the attenuation rule, at the same window
        assertEquals(List.of(Rules.VANISHING_GRADIENT_DEPTH, Rules.VANISHING_GRADIENT_ATTENUATION),
                alerts.stream().map(Alert::rule).toList(), alerts.toString());
        Alert a = alerts.get(0);
        assertEquals(Rules.VANISHING_GRADIENT_DEPTH, a.rule());
        assertEquals(9, a.step());
        assertEquals(-1, a.layerIndex());
        assertEquals("vanishing_gradient_depth:run-v:w0:*", a.fingerprint());
        assertEquals(0.1, a.evidence().get("attenuationPerLayer"), 0.01);
        assertTrue(a.remedy().contains("ReLU-family"), a.remedy());
    }

    @Test
    void firesNonFiniteAtTheStepItAppearsNamingTheLayer() {
        List<StepStats> steps = StatsFixtures.exploding("run-x", "w1", 8, 6);
        List<Alert> alerts = feed(new StepState(), steps);
        List<String> rules = alerts.stream().map(Alert::rule).toList();
        assertEquals(List.of(Rules.NON_FINITE_GRADIENT, Rules.NON_FINITE_LOSS), rules);
        Alert grad = alerts.get(0);
        assertEquals(6, grad.step());
        assertEquals(2, grad.layerIndex());
        assertEquals("dense2", grad.layerName());
        assertEquals("non_finite_gradient:run-x:w1:*", grad.fingerprint());
    }

    @Test
    void announcesANonFiniteStepThatArrivesLateThoughItIsTooLateForTheWindows() {
        StepState st = new StepState();
        for (int s = 0; s < 8; s++) monitor.onStep(st, StatsFixtures.step("run-x", "w1", s, 1.0, "dense/relu", 0.5, 0.5));
        Outcome late = monitor.onStep(st, StatsFixtures.step("run-x", "w1", 5, 1.0, "dense/relu", 0.5, Double.NaN));
        assertTrue(late.isDropped());
        assertEquals(List.of(Rules.NON_FINITE_GRADIENT), late.alerts().stream().map(Alert::rule).toList());
        assertEquals(5, late.alerts().get(0).step());
        // a finite late step stays silent
        assertTrue(monitor.onStep(st, StatsFixtures.step("run-x", "w1", 6, 1.0, "dense/relu", 0.5, 0.5)).alerts().isEmpty());
    }

    @Test
    void resolvesNonFiniteAfterTwoClearWindows() {
        StepState st = new StepState();
        List<Alert> alerts = new ArrayList<>();
        for (int s = 0; s < 30; s++) {
            double n = s == 6 ? Double.NaN : 0.5;
            alerts.addAll(monitor.onStep(st, StatsFixtures.step("run-x", "w1", s, 1.0, "dense/relu", n, 0.5)).alerts());
        }
        assertEquals(List.of(Alert.FIRING, Alert.RESOLVED), alerts.stream().map(Alert::status).toList());
        // windows ending 9 and 14 still hold step 6; 19 and 24 are clear
        assertEquals(24, alerts.get(1).step());
    }

    @Test
    void oneNonFiniteStepNeitherResolvesNorRefiresTheAttenuationAlert() {
        // a vanishing run whose step 17 has a NaN in a middle layer: the windows ending 19 and 24
        // hold it; counted as clear they resolved the alert at 24 and it fired again at 29
        List<StepStats> steps = new ArrayList<>(StatsFixtures.vanishing("run-v", "w0", 40));
        double[] norms = StatsFixtures.norms(9, i -> Math.pow(10, i - 9));
        norms[4] = Double.NaN;
        steps.set(17, StatsFixtures.step("run-v", "w0", 17, 2.3, "dense/sigmoid", norms));
        StepState st = new StepState();
        List<Alert> attenuation = feed(st, steps).stream()
                .filter(a -> a.rule().equals(Rules.VANISHING_GRADIENT_ATTENUATION)).toList();
        assertEquals(List.of(Alert.FIRING), attenuation.stream().map(Alert::status).toList(), attenuation.toString());
        assertEquals(9, attenuation.get(0).step());
        assertTrue(st.latches.get(Rules.VANISHING_GRADIENT_ATTENUATION).firing);
        assertEquals(0, st.latches.get(Rules.VANISHING_GRADIENT_ATTENUATION).clearWindows,
                "the windows holding the NaN step counted neither way");
    }

    @Test
    void aWindowWithANonFiniteSampleIsInconclusiveForTheAttenuationRule() {
        assertTrue(VanishingGradientDetector.isConclusive(Series.of(0, 0.1, 0.2)));
        assertTrue(!VanishingGradientDetector.isConclusive(Series.of(0, 0.1, Double.NaN, 0.2)));
        assertTrue(!VanishingGradientDetector.isConclusive(Series.of(0, 0.1, Double.POSITIVE_INFINITY)));
        assertTrue(!VanishingGradientDetector.isConclusive(Series.of(0)));
    }

    @Test
    void staysQuietOnAHealthyRun() {
        StepState st = new StepState();
        assertTrue(feed(st, StatsFixtures.healthy("run-h", "w0", 60)).isEmpty());
        assertTrue(st.latches.isEmpty());
    }

    /**
     * A worker's ring restored from a checkpoint taken before the logarithm columns existed gets them
     * from its losses and norms, so a loss spike right after the restore is still caught against the
     * whole lookback.
     */
    @Test
    void aRingFromBeforeTheLogColumnsStillCatchesALossSpikeAtOnce() {
        StepState st = new StepState();
        st.ring = SampleRing.create(DetectorConfig.DEFAULTS.historySteps(), StepMonitor.LOG_LOSS);
        for (int i = 0; i < 20; i++) {
            st.ring.add(i, 1.0, 1.0, 0, 0, 1.0, 0.5 + 0.01 * (i % 3), 0, 1.7);
        }
        List<Alert> alerts = monitor.onStep(st, StatsFixtures.step("run-1", "w0", 20, 5.0, "dense/relu", 1, 1, 1)).alerts();
        assertEquals(List.of(Rules.LOSS_SPIKE), alerts.stream().map(Alert::rule).toList(), alerts.toString());
        assertEquals(StepMonitor.COLUMNS, st.ring.columns.length);
    }
}
