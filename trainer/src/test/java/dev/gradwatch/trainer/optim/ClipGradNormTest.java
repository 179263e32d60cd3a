package dev.gradwatch.trainer.optim;

import dev.gradwatch.trainer.engine.Parameter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Gradients (3, 4) and (12): global norm √(9 + 16 + 144) = 13. */
class ClipGradNormTest {

    private Parameter a;
    private Parameter b;
    private List<Parameter> params;

    @BeforeEach
    void gradientsWithGlobalNormThirteen() {
        a = new Parameter("a", 1, 2);
        b = new Parameter("b", 1, 1);
        a.grad().data[0] = 3;
        a.grad().data[1] = 4;
        b.grad().data[0] = 12;
        params = List.of(a, b);
    }

    @Test
    void scalesEveryGradientByMaxNormOverNormPlusEpsilonAndReturnsThePreClipNorm() {
        double pre = ClipGradNorm.clip(params, 6.5);
        assertEquals(13.0, pre);
        double coef = 6.5 / (13 + 1e-6);
        assertArrayEquals(new double[]{3 * coef, 4 * coef}, a.grad().data, 1e-15);
        assertArrayEquals(new double[]{12 * coef}, b.grad().data, 1e-15);
    }

    @Test
    void atExactlyTheNormTheEpsilonStillShrinksALittleAsInPyTorch() {
        ClipGradNorm.clip(params, 13);
        assertEquals(12 * 13 / (13 + 1e-6), b.grad().data[0], 1e-15);
    }

    @Test
    void aLargerOrInfiniteThresholdLeavesGradientsUntouched() {
        assertEquals(13.0, ClipGradNorm.clip(params, 100));
        assertEquals(13.0, ClipGradNorm.clip(params, Double.POSITIVE_INFINITY));
        assertArrayEquals(new double[]{3, 4}, a.grad().data, 0);
        assertArrayEquals(new double[]{12}, b.grad().data, 0);
    }

    @Test
    void aNonFiniteNormIsReturnedAndNothingIsScaled() {
        b.grad().data[0] = Double.NaN;
        assertEquals(Double.NaN, ClipGradNorm.clip(params, 1));
        assertArrayEquals(new double[]{3, 4}, a.grad().data, 0);
        b.grad().data[0] = Double.POSITIVE_INFINITY;
        assertEquals(Double.POSITIVE_INFINITY, ClipGradNorm.clip(params, 1));
        assertArrayEquals(new double[]{3, 4}, a.grad().data, 0);
    }

    @Test
    void theThresholdMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> ClipGradNorm.clip(params, 0));
        assertThrows(IllegalArgumentException.class, () -> ClipGradNorm.clip(params, Double.NaN));
    }
}
