package dev.gradwatch.trainer.probe;

import dev.gradwatch.events.LayerStats;
import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Dense;
import dev.gradwatch.trainer.nn.Init;
import dev.gradwatch.trainer.nn.Sequential;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradientProbeTest {

    /** A layer that only holds parameters, so a test can set gradients and weights by hand. */
    private record Holder(String name, List<Parameter> parameters) implements Layer {
        @Override
        public String kind() {
            return "test/fixed";
        }

        @Override
        public DMatrixRMaj forward(DMatrixRMaj X) {
            return X;
        }

        @Override
        public DMatrixRMaj backward(DMatrixRMaj dA) {
            return dA;
        }
    }

    private static Parameter param(String name, int rows, int cols, double[] weights, double[] grads) {
        Parameter p = new Parameter(name, rows, cols);
        System.arraycopy(weights, 0, p.value().data, 0, weights.length);
        System.arraycopy(grads, 0, p.grad().data, 0, grads.length);
        return p;
    }

    private Parameter aW;
    private Parameter aB;
    private Parameter bW;
    private GradientProbe probe;

    /**
     * Layer "a": gradients (1, −2, 0, NaN) and (+Inf, 3), weights (3, 0, 0, 4) and (0, 0).
     * Layer "b": gradients (3, 4), weights (6, 8). A parameter-free layer in between is skipped.
     */
    @BeforeEach
    void twoLayersByHand() {
        aW = param("a.W", 2, 2, new double[]{3, 0, 0, 4}, new double[]{1, -2, 0, Double.NaN});
        aB = param("a.b", 1, 2, new double[]{0, 0}, new double[]{Double.POSITIVE_INFINITY, 3});
        bW = param("b.W", 1, 2, new double[]{6, 8}, new double[]{3, 4});
        Layer a = new Holder("a", List.of(aW, aB));
        Layer none = new Holder("none", List.of());
        Layer b = new Holder("b", List.of(bW));
        probe = new GradientProbe(new Sequential("net", List.of(a, none, b)));
        probe.measureGradients();
    }

    @Test
    void countsNaNAndInfinityAndTakesTheOtherStatisticsOverFiniteEntries() {
        LayerStats a = probe.layer(0);
        assertEquals("a", a.name());
        assertEquals("test/fixed", a.kind());
        assertEquals(6, a.paramCount());
        assertEquals(2, a.nonFiniteCount());
        assertEquals(1L, a.nanCount());
        assertEquals(1L, a.posInfCount());
        assertEquals(0L, a.negInfCount());
        assertEquals(Double.NaN, a.gradL2(), "a NaN entry makes the norm NaN");
        assertTrue(a.hasNonFinite());
        // finite entries 1, −2, 0, 3
        assertEquals(1.5, a.gradMeanAbs());
        assertEquals(3.0, a.gradMaxAbs());
        // mean 0.5, mean square 3.5
        assertEquals(Math.sqrt(3.25), a.gradStd(), 1e-15);
        assertEquals(1.0 / 6, a.zeroFraction());
        assertEquals(5.0, a.weightL2());
        assertEquals(2, probe.nonFiniteCount());
    }

    @Test
    void aFiniteLayerGetsItsNormsAndTheParameterFreeLayerIsSkipped() {
        assertEquals(2, probe.layerCount());
        LayerStats b = probe.layer(1);
        assertEquals(1, b.index());
        assertEquals("b", b.name());
        assertEquals(5.0, b.gradL2());
        assertEquals(3.5, b.gradMeanAbs());
        assertEquals(4.0, b.gradMaxAbs());
        assertEquals(0.5, b.gradStd());
        assertEquals(0, b.nonFiniteCount());
        assertEquals(0.0, b.zeroFraction());
        assertEquals(10.0, b.weightL2());
        assertFalse(b.hasNonFinite());
    }

    @Test
    void onlyInfinitiesGiveAnInfiniteNorm() {
        aW.grad().data[3] = Double.NEGATIVE_INFINITY;
        probe.measureGradients();
        assertEquals(Double.POSITIVE_INFINITY, probe.layer(0).gradL2());
        assertEquals(1L, probe.layer(0).negInfCount());
        assertEquals(0L, probe.layer(0).nanCount());
    }

    @Test
    void updateRatioIsTheAppliedUpdateNormOverTheWeightNormBeforeIt() {
        bW.recordUpdate(0.25); // ‖Δw‖ = 0.5, ‖w‖ = 10
        aW.recordUpdate(0);
        aB.recordUpdate(0);
        probe.measureUpdates(true);
        assertEquals(0.05, probe.layer(1).updateRatio(), 1e-15);
        assertEquals(0.0, probe.layer(0).updateRatio());
        probe.measureUpdates(false);
        assertEquals(0.0, probe.layer(1).updateRatio(), "a skipped step applied nothing");
    }

    @Test
    void hugeAndTinyFiniteGradientsKeepFiniteStatistics() {
        bW.grad().data[0] = 3e200;
        bW.grad().data[1] = 4e200;
        probe.measureGradients();
        assertEquals(5e200, probe.layer(1).gradL2(), 1e186);
        assertEquals(0.5e200, probe.layer(1).gradStd(), 1e186);
        assertFalse(probe.layer(1).hasNonFinite());
        bW.grad().data[0] = 3e-200;
        bW.grad().data[1] = 4e-200;
        probe.measureGradients();
        assertEquals(5e-200, probe.layer(1).gradL2(), 1e-214);
    }

    @Test
    void theListViewBelongsToOneMeasurementAndASnapshotOutlivesIt() {
        List<LayerStats> view = probe.stats();
        List<LayerStats> snapshot = probe.snapshot();
        assertEquals(probe.layer(1), view.get(1));
        probe.measureGradients();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> view.get(0));
        assertTrue(e.getMessage().contains("copy them"), e.getMessage());
        assertEquals(5.0, snapshot.get(1).gradL2());
        assertEquals(2, view.size());
    }

    @Test
    void nestedContainersAreLookedThroughInInputToOutputOrder() {
        SplittableRandom rng = new SplittableRandom(1);
        Init init = new Init.HeNormal();
        Sequential inner = new Sequential("block", List.of(
                new Dense("dense1", 3, 3, Activation.RELU, init, rng),
                new Dense("dense2", 3, 3, Activation.RELU, init, rng)));
        Sequential net = new Sequential("net", List.of(new Dense("dense0", 2, 3, Activation.TANH, init, rng), inner,
                new Dense("dense3", 3, 1, Activation.LINEAR, init, rng)));
        GradientProbe p = new GradientProbe(net);
        p.measureGradients();
        List<LayerStats> stats = p.snapshot();
        assertEquals(List.of("dense0", "dense1", "dense2", "dense3"), stats.stream().map(LayerStats::name).toList());
        assertEquals("dense/tanh", stats.get(0).kind());
        assertEquals(2 * 3 + 3, stats.get(0).paramCount());
        assertEquals(1.0, stats.get(0).zeroFraction(), "no backward yet: every gradient entry is zero");
    }
}
