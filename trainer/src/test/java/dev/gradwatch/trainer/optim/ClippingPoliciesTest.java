package dev.gradwatch.trainer.optim;

import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.BatchNorm;
import dev.gradwatch.trainer.nn.Dense;
import dev.gradwatch.trainer.nn.Init;
import dev.gradwatch.trainer.nn.Residual;
import dev.gradwatch.trainer.nn.Sequential;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Clipping by value, per layer and adaptively (AGC) against hand-computed cases. */
class ClippingPoliciesTest {

    private static Parameter param(String name, double[][] value, double[][] grad) {
        Parameter p = new Parameter(name, value.length, value[0].length);
        p.value().setTo(new DMatrixRMaj(value));
        p.grad().setTo(new DMatrixRMaj(grad));
        return p;
    }

    @Test
    void clipByValueClampsEachEntryAndReturnsTheNormBefore() {
        Parameter a = param("a", new double[][]{{0, 0}, {0, 0}}, new double[][]{{3, -0.5}, {-7, 0.1}});
        double before = ClipGradValue.clip(List.of(a), 1);
        assertEquals(Math.sqrt(9 + 0.25 + 49 + 0.01), before, 1e-15);
        assertArrayEquals(new double[]{1, -0.5, -1, 0.1}, a.grad().data);
        assertThrows(IllegalArgumentException.class, () -> ClipGradValue.clip(List.of(a), 0));
    }

    @Test
    void clipByValueLeavesNonFiniteGradientsUntouched() {
        Parameter a = param("a", new double[][]{{0, 0}}, new double[][]{{5, Double.NaN}});
        assertTrue(Double.isNaN(ClipGradValue.clip(List.of(a), 1)));
        assertEquals(5.0, a.grad().get(0, 0));
        Parameter b = param("b", new double[][]{{0, 0}}, new double[][]{{5, Double.NEGATIVE_INFINITY}});
        assertEquals(Double.POSITIVE_INFINITY, ClipGradValue.clip(List.of(b), 1));
        assertEquals(5.0, b.grad().get(0, 0));
    }

    @Test
    void clipPerLayerScalesOnlyTheLayersAboveTheThreshold() {
        // layer 0: ‖(3, 4)‖ = 5 → scaled by 1/(5 + 1e-6); layer 1: ‖(0.3, 0.4)‖ = 0.5 stays
        Parameter w0 = param("l0.W", new double[][]{{1, 1}}, new double[][]{{3, 0}});
        Parameter b0 = param("l0.b", new double[][]{{1}}, new double[][]{{4}});
        Parameter w1 = param("l1.W", new double[][]{{1, 1}}, new double[][]{{0.3, 0.4}});
        ClipPerLayer clip = new ClipPerLayer(List.of(List.of(w0, b0), List.of(w1)));
        double before = clip.clip(1);
        assertEquals(Math.sqrt(25 + 0.25), before, 1e-15);
        assertEquals(5.0, clip.normBeforeClip(0), 1e-15);
        assertEquals(0.5, clip.normBeforeClip(1), 1e-15);
        double k = 1 / (5 + 1e-6);
        assertEquals(3 * k, w0.grad().get(0, 0), 1e-15);
        assertEquals(4 * k, b0.grad().get(0, 0), 1e-15);
        assertArrayEquals(new double[]{0.3, 0.4}, w1.grad().data);
    }

    @Test
    void clipPerLayerLeavesEveryLayerUntouchedWhenOneIsNotFinite() {
        Parameter w0 = param("l0.W", new double[][]{{1}}, new double[][]{{30}});
        Parameter w1 = param("l1.W", new double[][]{{1}}, new double[][]{{Double.POSITIVE_INFINITY}});
        ClipPerLayer clip = new ClipPerLayer(List.of(List.of(w0), List.of(w1)));
        assertEquals(Double.POSITIVE_INFINITY, clip.clip(1));
        assertEquals(30.0, w0.grad().get(0, 0));
    }

    @Test
    void clipPerLayerFindsTheParameterisedLeavesThroughContainers() {
        SplittableRandom rng = new SplittableRandom(1);
        Dense inner = new Dense("inner", 3, 3, Activation.RELU, new Init.HeNormal(), rng);
        BatchNorm bn = new BatchNorm("bn", 3);
        Sequential model = new Sequential("m", List.of(new Residual("res", 1, List.of(inner)), bn));
        ClipPerLayer clip = ClipPerLayer.forLayersOf(model);
        assertEquals(2, clip.groupCount());
        inner.weights().grad().fill(1);  // ‖·‖ = 3
        bn.gamma().grad().fill(0.1);
        clip.clip(1);
        assertEquals(3.0, clip.normBeforeClip(0), 1e-15);
        assertEquals(1 / (3 + 1e-6), inner.weights().grad().get(0, 0), 1e-15);
        assertEquals(0.1, bn.gamma().grad().get(0, 0));
    }

    @Test
    void agcClipsEachUnitToLambdaTimesItsWeightNorm() {
        // W is fanIn × fanOut, so a unit is a column.
        // column 0: ‖W‖ = ‖(3, 4)‖ = 5, ‖G‖ = ‖(1, 0)‖ = 1 > 0.1·5 → G = (1, 0)·0.5/1 = (0.5, 0)
        // column 1: ‖W‖ = 0.1, ‖G‖ = ‖(0.5, 0)‖ = 0.5 > 0.1·0.1 → G = (0.5, 0)·0.01/0.5 = (0.01, 0)
        // bias entry 0: ‖W‖ = 0 → ε = 1e-3, |G| = 0.3 > 1e-4 → 1e-4;  entry 1: |W| = 2, |G| = 0.1 ≤ 0.2 stays
        // column 2: ‖W‖ = 10, ‖G‖ = ‖(0.6, 0.8)‖ = 1 ≤ 1 stays
        Parameter W = param("W", new double[][]{{3, 0.1, 6}, {4, 0, 8}}, new double[][]{{1, 0.5, 0.6}, {0, 0, 0.8}});
        Parameter b = param("b", new double[][]{{0, 2}}, new double[][]{{0.3, 0.1}});
        AdaptiveGradClip agc = new AdaptiveGradClip(List.of(W, b), 0.1);
        double before = agc.clip();
        assertEquals(Math.sqrt(1 + 0.25 + 0.36 + 0.64 + 0.09 + 0.01), before, 1e-15);
        assertEquals(0.5, W.grad().get(0, 0), 1e-15);
        assertEquals(0.0, W.grad().get(1, 0));
        assertEquals(0.01, W.grad().get(0, 1), 1e-15);
        assertEquals(0.6, W.grad().get(0, 2));
        assertEquals(0.8, W.grad().get(1, 2));
        assertEquals(1e-4, b.grad().get(0, 0), 1e-18);
        assertEquals(0.1, b.grad().get(0, 1));
        assertEquals(3, agc.clippedUnits());
        // clipping is idempotent: every unit now sits at or under λ·max(‖W‖, ε)
        DMatrixRMaj once = W.grad().copy();
        agc.clip();
        assertEquals(0, agc.clippedUnits());
        assertArrayEquals(once.data, W.grad().data, 1e-15);
    }

    @Test
    void agcLeavesNonFiniteGradientsUntouched() {
        Parameter W = param("W", new double[][]{{1, 1}}, new double[][]{{100, Double.NaN}});
        AdaptiveGradClip agc = new AdaptiveGradClip(List.of(W), 0.01);
        assertTrue(Double.isNaN(agc.clip()));
        assertEquals(100.0, W.grad().get(0, 0));
        assertEquals(0, agc.clippedUnits());
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveGradClip(List.of(W), 0));
    }

    @Test
    void noClipperAllocatesPerCall() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        SplittableRandom rng = new SplittableRandom(2);
        Dense d = new Dense("d", 64, 64, Activation.RELU, new Init.HeNormal(), rng);
        List<Parameter> ps = d.parameters();
        ClipPerLayer perLayer = new ClipPerLayer(List.of(ps));
        AdaptiveGradClip agc = new AdaptiveGradClip(ps, 0.01);
        double sink = 0;
        long before = 0;
        for (int i = 0; i < 4000; i++) {
            if (i == 2000) before = threads.getCurrentThreadAllocatedBytes();
            d.weights().grad().fill(1 + (i % 3));
            sink += ClipGradValue.clip(ps, 0.5) + perLayer.clip(1) + agc.clip();
        }
        long perCall = (threads.getCurrentThreadAllocatedBytes() - before) / 2000;
        assertTrue(perCall < 16, perCall + " bytes per call (" + sink + ")");
        assertSame(ps, d.parameters());
    }
}
