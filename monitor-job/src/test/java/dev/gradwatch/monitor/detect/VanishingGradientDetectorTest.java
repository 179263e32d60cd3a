package dev.gradwatch.monitor.detect;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VanishingGradientDetectorTest {

    private static final double FLOOR = 1e-7;
    private static final Subject SIGMOID_LAYER = new Subject("run-1", "w0", 2, "dense2", "dense/sigmoid");
    private static final Subject RELU_LAYER = new Subject("run-1", "w0", 2, "dense2", "dense/relu");
    private static final Subject STEP = Subject.step("run-1", "w0", "dense/sigmoid,dense/softmax");

    @Test
    void firesWhenEveryNormOfTheWindowIsUnderTheFloor() {
        Series window = Series.of(10, 3e-9, 2e-9, 5e-8, 1e-9, 4e-9, 2e-9, 9e-8, 1e-9, 1e-9, 2e-9);
        Finding f = VanishingGradientDetector.inLayer(SIGMOID_LAYER, window, FLOOR).orElseThrow();
        assertEquals(Rules.VANISHING_GRADIENT, f.rule());
        assertEquals(19, f.step());
        assertEquals(9e-8, f.evidence().get("maxGradL2"));
        assertEquals(10.0, f.evidence().get("windowFirstStep"));
        assertEquals(19.0, f.evidence().get("windowLastStep"));
        assertEquals(2, f.layerIndex());
    }

    @Test
    void staysQuietWhenOneNormOfTheWindowReachesTheFloor() {
        Series window = Series.of(10, 3e-9, 2e-9, 5e-8, 1e-9, 1e-7, 2e-9, 9e-8, 1e-9, 1e-9, 2e-9);
        assertTrue(VanishingGradientDetector.inLayer(SIGMOID_LAYER, window, FLOOR).isEmpty());
    }

    @Test
    void staysQuietOnAHealthyLayer() {
        Series window = Series.of(0, 0.4, 0.5, 0.45, 0.6, 0.5, 0.55, 0.4, 0.5, 0.45, 0.5);
        assertTrue(VanishingGradientDetector.inLayer(SIGMOID_LAYER, window, FLOOR).isEmpty());
    }

    @Test
    void leavesNonFiniteWindowsToTheNonFiniteRule() {
        Series window = Series.of(0, 1e-9, Double.NaN, 1e-9);
        assertTrue(VanishingGradientDetector.inLayer(SIGMOID_LAYER, window, FLOOR).isEmpty());
    }

    @Test
    void suggestsReluFamilyAndHeInitialisationForSigmoidLayers() {
        Series window = Series.of(0, 1e-9, 1e-9, 1e-9);
        String remedy = VanishingGradientDetector.inLayer(SIGMOID_LAYER, window, FLOOR).orElseThrow().remedy();
        assertTrue(remedy.contains("ReLU-family"), remedy);
        assertTrue(remedy.contains("He initialisation"), remedy);
        assertTrue(remedy.contains("residual"), remedy);
    }

    @Test
    void suspectsDeadUnitsForReluLayers() {
        Series window = Series.of(0, 1e-9, 1e-9, 1e-9);
        String remedy = VanishingGradientDetector.inLayer(RELU_LAYER, window, FLOOR).orElseThrow().remedy();
        assertTrue(remedy.contains("dead"), remedy);
    }

    @Test
    void firesWhenFirstLayerNormIsTinyNextToLastLayerForWholeWindow() {
        // a 9-layer stack losing a factor 10 per layer: ratio 1e-8, attenuation 0.1 per layer
        Series ratio = Series.of(0, 1e-8, 1.2e-8, 0.9e-8, 1e-8, 1.1e-8, 1e-8, 1e-8, 1e-8, 1e-8, 1e-8);
        Finding f = VanishingGradientDetector.acrossDepth(STEP, ratio, 1e-4, 1e-9, 1e-1, 9).orElseThrow();
        assertEquals(Rules.VANISHING_GRADIENT_DEPTH, f.rule());
        assertEquals(-1, f.layerIndex());
        assertEquals(0.1, f.evidence().get("attenuationPerLayer"), 1e-9);
        assertEquals(9.0, f.evidence().get("depth"));
        assertTrue(f.remedy().contains("0.100 per layer"), f.remedy());
        assertTrue(f.remedy().contains("ReLU-family"), f.remedy());
        assertTrue(f.remedy().contains("residual"), f.remedy());
    }

    @Test
    void staysQuietWhenTheRatioRecoversAtOneStepOfTheWindow() {
        Series ratio = Series.of(0, 1e-8, 1e-8, 1e-8, 1e-8, 1e-3, 1e-8, 1e-8, 1e-8, 1e-8, 1e-8);
        Optional<Finding> f = VanishingGradientDetector.acrossDepth(STEP, ratio, 1e-4, 1e-9, 1e-1, 9);
        assertFalse(f.isPresent());
    }

    @Test
    void staysQuietOnABalancedNetwork() {
        Series ratio = Series.of(0, 0.5, 0.6, 0.4, 0.5, 0.55, 0.5, 0.45, 0.5, 0.5, 0.6);
        assertTrue(VanishingGradientDetector.acrossDepth(STEP, ratio, 1e-4, 0.5, 1.0, 9).isEmpty());
    }

    @Test
    void theAttenuationFactorIsTheGeometricMeanOfSuccessiveLayerRatios() {
        // ratios 0.5, 0.2, 0.4: geometric mean (0.04)^(1/3)
        assertEquals(Math.cbrt(0.04), VanishingGradientDetector.attenuationFactor(new double[] {0.004, 0.008, 0.04, 0.1}),
                1e-12);
        assertTrue(Double.isNaN(VanishingGradientDetector.attenuationFactor(new double[] {0.1, 0, 0.3})));
        assertTrue(Double.isNaN(VanishingGradientDetector.attenuationFactor(new double[] {0.1})));
    }

    @Test
    void firesAttenuationWhenEveryLayerLosesMoreThanHalfAtEveryStep() {
        Series factor = Series.of(0, 0.3, 0.31, 0.29, 0.3, 0.32, 0.3, 0.28, 0.3, 0.3, 0.33);
        Finding f = VanishingGradientDetector.attenuation(STEP, factor, 0.5, 8).orElseThrow();
        assertEquals(Rules.VANISHING_GRADIENT_ATTENUATION, f.rule());
        assertEquals(-1, f.layerIndex());
        assertEquals(0.33, f.evidence().get("maxAttenuationPerLayer"));
        assertEquals(Math.pow(0.33, 7), f.evidence().get("firstToLastRatio"), 1e-15);
        assertTrue(f.remedy().contains("0.330 per layer"), f.remedy());
        assertTrue(f.remedy().contains("ReLU-family"), f.remedy());
    }

    @Test
    void staysQuietOnAttenuationOfAHealthyStackOrATwoLayerNetwork() {
        Series healthy = Series.of(0, 0.9, 0.75, 1.1, 0.8, 1.2, 0.95, 0.73, 1.0, 0.85, 0.9);
        assertTrue(VanishingGradientDetector.attenuation(STEP, healthy, 0.5, 6).isEmpty());
        Series oneGood = Series.of(0, 0.3, 0.3, 0.3, 0.6, 0.3);
        assertTrue(VanishingGradientDetector.attenuation(STEP, oneGood, 0.5, 6).isEmpty());
        assertTrue(VanishingGradientDetector.attenuation(STEP, Series.of(0, 0.1, 0.1), 0.5, 2).isEmpty());
    }

    @Test
    void theStepMonitorResolvesAttenuationOnceTheGradientReachesTheInputAgain() {
        StepMonitor m = new StepMonitor(DetectorConfig.DEFAULTS);
        StepState st = new StepState();
        java.util.List<dev.gradwatch.events.Alert> alerts = new java.util.ArrayList<>();
        for (int s = 0; s < 40; s++) {
            // 0.3 per layer over 4 layers is 0.027 first/last: over the ratio floor, under the attenuation floor
            double[] norms = s < 20 ? new double[] {0.027, 0.09, 0.3, 1.0} : new double[] {0.8, 0.9, 1.0, 1.0};
            alerts.addAll(m.onStep(st, dev.gradwatch.monitor.testing.StatsFixtures.step("run-1", "w0", s, 0.5,
                    "dense/relu", norms)).alerts());
        }
        // the window 15-24 already holds healthy steps, so it and 20-29 are clear
        assertEquals(java.util.List.of("firing@9", "resolved@29"),
                alerts.stream().map(a -> a.status() + "@" + a.step()).toList(), alerts.toString());
        assertTrue(alerts.stream().allMatch(a -> a.rule().equals(Rules.VANISHING_GRADIENT_ATTENUATION)));
    }
}
