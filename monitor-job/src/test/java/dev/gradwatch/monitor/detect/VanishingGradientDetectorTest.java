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
}
