package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InitTest {

    private static final int FAN_IN = 200;
    private static final int FAN_OUT = 300;

    private record Drawn(DMatrixRMaj W, DMatrixRMaj b) {
        double std() {
            double s = 0, s2 = 0;
            for (double w : W.data) {
                s += w;
                s2 += w * w;
            }
            int n = W.data.length;
            return Math.sqrt(s2 / n - (s / n) * (s / n));
        }

        double maxAbs(DMatrixRMaj M) {
            double m = 0;
            for (double x : M.data) m = Math.max(m, Math.abs(x));
            return m;
        }
    }

    private static Drawn draw(Init init, long seed) {
        DMatrixRMaj W = new DMatrixRMaj(FAN_IN, FAN_OUT);
        DMatrixRMaj b = new DMatrixRMaj(1, FAN_OUT);
        init.initialize(W, b, FAN_IN, FAN_OUT, new SplittableRandom(seed));
        return new Drawn(W, b);
    }

    @Test
    void pytorchDefaultDrawsWeightsAndBiasesUniformlyWithinOneOverRootFanIn() {
        Drawn d = draw(Init.parse("pytorch-default"), 1);
        double bound = 1 / Math.sqrt(FAN_IN);
        assertTrue(d.maxAbs(d.W()) <= bound && d.maxAbs(d.W()) > 0.99 * bound);
        assertTrue(d.maxAbs(d.b()) <= bound && d.maxAbs(d.b()) > 0.9 * bound, "biases are drawn too");
        assertEquals(bound / Math.sqrt(3), d.std(), 0.02 * bound);
    }

    @Test
    void xavierUniformUsesTheGlorotBoundAndZeroBias() {
        Drawn d = draw(Init.parse("xavier-uniform"), 2);
        double bound = Math.sqrt(6.0 / (FAN_IN + FAN_OUT));
        assertTrue(d.maxAbs(d.W()) <= bound && d.maxAbs(d.W()) > 0.99 * bound);
        assertEquals(Math.sqrt(2.0 / (FAN_IN + FAN_OUT)), d.std(), 0.02 * bound);
        assertEquals(0.0, d.maxAbs(d.b()));
    }

    @Test
    void heNormalHasStandardDeviationRootTwoOverFanIn() {
        Drawn d = draw(Init.parse("he-normal"), 3);
        double sigma = Math.sqrt(2.0 / FAN_IN);
        assertEquals(sigma, d.std(), 0.02 * sigma);
        assertEquals(0.0, d.maxAbs(d.b()));
    }

    @Test
    void normalUsesTheGivenSigmaRegardlessOfWidth() {
        Drawn d = draw(Init.parse("normal:0.5"), 4);
        assertEquals(0.5, d.std(), 0.01);
        assertEquals(0.0, d.maxAbs(d.b()));
    }

    @Test
    void aSeedGivesTheSameDrawAndSpecsRoundTrip() {
        for (String spec : new String[]{"pytorch-default", "normal:0.25", "xavier-uniform", "he-normal"}) {
            Init init = Init.parse(spec);
            assertEquals(spec, init.spec());
            assertEquals(init, Init.parse(init.spec()));
            assertArrayEquals(draw(init, 9).W().data, draw(init, 9).W().data, 0);
        }
    }

    @Test
    void badSpecsNameTheAcceptedForms() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.parse("truncated-normal"));
        assertTrue(e.getMessage().contains("pytorch-default, normal:<σ>, xavier-uniform, he-normal"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Init.parse("normal:-1"));
        assertThrows(IllegalArgumentException.class, () -> Init.parse("normal:abc"));
    }
}
