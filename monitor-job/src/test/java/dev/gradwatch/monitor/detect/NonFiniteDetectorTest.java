package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NonFiniteDetectorTest {

    private static final Subject STEP = Subject.step("run-1", "w0", "dense/tanh");

    @Test
    void namesTheDeepestAffectedLayerAsWhereItFirstAppearedInBackprop() {
        // backprop from layer 3 poisoned layers 2..0; layer 4 (the output) is fine
        StepStats s = StatsFixtures.step("run-1", "w0", 7, 0.9, "dense/tanh",
                Double.NaN, Double.NaN, Double.NaN, Double.POSITIVE_INFINITY, 0.3);
        Finding f = NonFiniteDetector.gradient(STEP, s).orElseThrow();
        assertEquals(Rules.NON_FINITE_GRADIENT, f.rule());
        assertEquals(3, f.layerIndex());
        assertEquals("dense3", f.layerName());
        assertEquals(7, f.step());
        assertEquals(4.0, f.evidence().get("affectedLayers"));
        assertEquals(0.0, f.evidence().get("lowestAffectedLayerIndex"));
        assertTrue(f.summary().contains("dense3"), f.summary());
        assertTrue(f.remedy().contains("backward pass of dense3"), f.remedy());
    }

    @Test
    void firesOnANonFiniteLoss() {
        StepStats s = StatsFixtures.step("run-1", "w0", 7, Double.POSITIVE_INFINITY, "dense/tanh", 0.5, 0.6);
        Finding f = NonFiniteDetector.loss(STEP, s).orElseThrow();
        assertEquals(Rules.NON_FINITE_LOSS, f.rule());
        assertEquals(Double.POSITIVE_INFINITY, f.evidence().get("loss"));
    }

    @Test
    void staysQuietOnAFiniteStep() {
        StepStats s = StatsFixtures.step("run-1", "w0", 7, 0.4, "dense/tanh", 0.5, 1e-9, 1e4);
        assertTrue(NonFiniteDetector.gradient(STEP, s).isEmpty());
        assertTrue(NonFiniteDetector.loss(STEP, s).isEmpty());
    }
}
