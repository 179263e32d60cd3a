package dev.gradwatch.monitor.detect;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExplodingGradientDetectorTest {

    private static final Subject LAYER = new Subject("run-1", "w0", 3, "dense3", "dense/relu");

    @Test
    void firesWhenAnyNormOfTheWindowIsOverTheCeiling() {
        Series window = Series.of(20, 3.0, 4.0, 2500.0, 5.0, 3.0);
        Finding f = ExplodingGradientDetector.overCeiling(LAYER, window, 1e3, 0.1).orElseThrow();
        assertEquals(Rules.EXPLODING_GRADIENT, f.rule());
        assertEquals(2500.0, f.evidence().get("maxGradL2"));
        assertEquals(22.0, f.evidence().get("maxAtStep"));
        assertEquals(0.1, f.evidence().get("learningRate"));
        assertTrue(f.remedy().contains("clip"), f.remedy());
        assertTrue(f.remedy().contains("learning rate (now 0.100)"), f.remedy());
    }

    @Test
    void staysQuietUnderTheCeiling() {
        Series window = Series.of(20, 3.0, 4.0, 999.0, 5.0, 3.0);
        assertTrue(ExplodingGradientDetector.overCeiling(LAYER, window, 1e3, 0.1).isEmpty());
    }

    @Test
    void leavesInfiniteNormsToTheNonFiniteRule() {
        Series window = Series.of(20, 3.0, Double.POSITIVE_INFINITY, Double.NaN);
        assertTrue(ExplodingGradientDetector.overCeiling(LAYER, window, 1e3, 0.1).isEmpty());
    }

    @Test
    void firesWhenTheNormGrowsOverTheFactorWithinTheWindow() {
        // doubling every step: 2^9 = 512x over the window
        double[] v = new double[10];
        for (int i = 0; i < v.length; i++) v[i] = 0.01 * Math.pow(2, i);
        Finding f = ExplodingGradientDetector.growth(LAYER, Series.of(0, v), 100, 1e-7, 1.0, 0.1).orElseThrow();
        assertEquals(Rules.EXPLODING_GRADIENT_GROWTH, f.rule());
        assertEquals(512.0, f.evidence().get("growth"), 1e-9);
        assertEquals(1.0, f.evidence().get("stepsPerDoubling"), 1e-9);
        assertEquals(9, f.step());
    }

    @Test
    void staysQuietOnGrowthUnderTheFactor() {
        Series window = Series.of(0, 1, 2, 4, 8, 16, 32, 64, 50);
        assertTrue(ExplodingGradientDetector.growth(LAYER, window, 100, 1e-7, 1.0, 0.1).isEmpty());
    }

    @Test
    void ignoresGrowthAmongGradientsTooSmallToMatter() {
        Series window = Series.of(0, 1e-6, 1e-5, 1e-4, 1e-3);
        assertTrue(ExplodingGradientDetector.growth(LAYER, window, 100, 1e-7, 1.0, 0.1).isEmpty());
        assertTrue(ExplodingGradientDetector.growth(LAYER, window, 100, 1e-7, 1e-3, 0.1).isPresent());
    }

    @Test
    void takesAVanishedGradientRecoveringForNoExplosion() {
        Series window = Series.of(0, 1e-12, 1e-10, 1e-9, 1e-8);
        assertTrue(ExplodingGradientDetector.growth(LAYER, window, 100, 1e-7, 1.0, 0.1).isEmpty());
    }
}
