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
        Layer a = new ParameterHolder("a", List.of(aW, aB));
        Layer none = new ParameterHolder("none", List.of());
        Layer b = new ParameterHolder("b", List.of(bW));
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

    @Test
    void histogramCountsTheFiniteEntriesInTheirFixedBuckets() {
        long[] a = probe.layer(0).gradHistogram();
        // layer a: finite entries 1, −2, 0, 3 (NaN and +Inf are counted apart)
        assertEquals(4, java.util.Arrays.stream(a).sum());
        assertEquals(1, a[dev.gradwatch.events.GradHistogram.bucketOf(1)]);
        assertEquals(1, a[0], "zero goes to the lowest bucket");
        // 2 and 3 share the bucket [2, 4)
        assertEquals(2, a[dev.gradwatch.events.GradHistogram.bucketOf(2)]);
        long[] b = probe.layer(1).gradHistogram();
        // layer b: 3 in [2, 4), 4 in [4, 8)
        assertEquals(1, b[dev.gradwatch.events.GradHistogram.bucketOf(3)]);
        assertEquals(1, b[dev.gradwatch.events.GradHistogram.bucketOf(4)]);
    }

    /** One dense layer with weights and bias set by hand, forward on a batch chosen per case. */
    private static GradientProbe probeAfterForward(Activation f, double[][] x, double[] w, double[] bias) {
        Dense d = new Dense("d", 1, w.length, f, Init.parse("normal:1.0"), new SplittableRandom(1));
        System.arraycopy(w, 0, d.parameters().get(0).value().data, 0, w.length);
        System.arraycopy(bias, 0, d.parameters().get(1).value().data, 0, bias.length);
        DMatrixRMaj X = new DMatrixRMaj(x);
        d.forward(X);
        GradientProbe p = new GradientProbe(d);
        p.measureGradients();
        return p;
    }

    @Test
    void reportsDeadReluUnitsOverTheWholeBatchAndActivationMoments() {
        // units: z = w·x + b with x in {1, 2, 3}: unit 0 always > 0, unit 1 always <= 0, unit 2 mixed
        LayerStats s = probeAfterForward(Activation.RELU, new double[][]{{1}, {2}, {3}},
                new double[]{1, -1, 1}, new double[]{0, 0, -2}).layer(0);
        assertEquals(1.0 / 3, s.deadFraction(), 1e-15);
        assertEquals(null, s.saturatedFraction());
        // outputs: unit0 1,2,3; unit1 0,0,0; unit2 0,0,1 -> mean 7/9
        assertEquals(7.0 / 9, s.activationMean(), 1e-12);
        double meanSq = (1 + 4 + 9 + 1) / 9.0;
        assertEquals(Math.sqrt(meanSq - 49.0 / 81), s.activationStd(), 1e-12);
    }

    @Test
    void reportsSaturatedSigmoidAndTanhUnitsWhereTheDerivativeIsTiny() {
        assertTrue(GradientProbe.SIGMOID_SATURATION_Z > 15 && GradientProbe.SIGMOID_SATURATION_Z < 17);
        assertTrue(GradientProbe.TANH_SATURATION_Z > 8 && GradientProbe.TANH_SATURATION_Z < 9);
        // the thresholds are where the derivative equals 1e-7
        double s = 1 / (1 + Math.exp(-GradientProbe.SIGMOID_SATURATION_Z));
        assertEquals(1e-7, s * (1 - s), 1e-12);
        double t = Math.tanh(GradientProbe.TANH_SATURATION_Z);
        assertEquals(1e-7, 1 - t * t, 1e-12);

        double[][] x = {{1}, {1}, {1}};
        // unit 0: z = 40 (saturated), unit 1: z = 1 (not), unit 2: z = -40 (saturated)
        LayerStats sig = probeAfterForward(Activation.SIGMOID, x, new double[]{40, 1, -40}, new double[]{0, 0, 0}).layer(0);
        assertEquals(2.0 / 3, sig.saturatedFraction(), 1e-15);
        assertEquals(null, sig.deadFraction());
        LayerStats tanh = probeAfterForward(Activation.TANH, x, new double[]{9, 8, 1}, new double[]{0, 0, 0}).layer(0);
        assertEquals(1.0 / 3, tanh.saturatedFraction(), 1e-15);
    }

    @Test
    void layersThatDoNotExposeTheirForwardReportNoActivationStatistics() {
        LayerStats s = probe.layer(0);
        assertEquals(null, s.activationMean());
        assertEquals(null, s.deadFraction());
        assertEquals(null, s.saturatedFraction());
    }
}
