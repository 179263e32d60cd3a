package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.probe.GradientProbe;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NormalizationResidualDropoutTest {

    private static void randomize(Parameter p, double center, SplittableRandom rng) {
        for (int i = 0; i < p.size(); i++) p.value().data[i] = center + 0.5 * rng.nextGaussian();
    }

    @Test
    void batchNormTrainModeInputAndParameterGradientsMatchCentralDifferences() {
        SplittableRandom rng = new SplittableRandom(31);
        BatchNorm bn = new BatchNorm("bn", 4);
        randomize(bn.gamma(), 1, rng);
        randomize(bn.beta(), 0, rng);
        DMatrixRMaj X = GradCheck.gaussian(6, 4, 2.0, rng);
        LayerCheck.check("batchnorm (train)", bn, X, GradCheck.gaussian(6, 4, 1.0, rng));
    }

    @Test
    void batchNormEvalModeUsesRunningStatisticsAndMatchesCentralDifferences() {
        SplittableRandom rng = new SplittableRandom(32);
        BatchNorm bn = new BatchNorm("bn", 3);
        randomize(bn.gamma(), 1, rng);
        randomize(bn.beta(), 0, rng);
        for (int i = 0; i < 20; i++) bn.forward(GradCheck.gaussian(8, 3, 3.0, rng));
        bn.setTraining(false);
        double[] mean = bn.runningMean().clone(), var = bn.runningVar().clone();
        DMatrixRMaj X = GradCheck.gaussian(5, 3, 2.0, rng);
        DMatrixRMaj Y = bn.forward(X);
        for (int c = 0; c < 3; c++) {
            double expected = bn.gamma().value().data[c] * (X.get(1, c) - mean[c]) / Math.sqrt(var[c] + 1e-5)
                    + bn.beta().value().data[c];
            assertEquals(expected, Y.get(1, c), 1e-12);
        }
        LayerCheck.check("batchnorm (eval)", bn, X, GradCheck.gaussian(5, 3, 1.0, rng));
        assertArrayEquals(mean, bn.runningMean(), "evaluation leaves the running mean alone");
    }

    @Test
    void batchNormRunningStatisticsFollowPyTorch() {
        BatchNorm bn = new BatchNorm("bn", 1);
        DMatrixRMaj X = new DMatrixRMaj(new double[][]{{1}, {3}});
        DMatrixRMaj Y = bn.forward(X);
        // μ = 2, biased σ² = 1 normalises; running: 0.9·0 + 0.1·2, 0.9·1 + 0.1·(unbiased 2)
        assertEquals(-1 / Math.sqrt(1 + 1e-5), Y.get(0, 0), 1e-15);
        assertEquals(0.2, bn.runningMean()[0], 1e-15);
        assertEquals(1.1, bn.runningVar()[0], 1e-15);
        assertThrows(IllegalArgumentException.class, () -> bn.forward(new DMatrixRMaj(1, 1)));
        bn.setTraining(false);
        assertEquals((1 - 0.2) / Math.sqrt(1.1 + 1e-5), bn.forward(new DMatrixRMaj(new double[][]{{1}})).get(0, 0), 1e-15);
    }

    @Test
    void layerNormInputAndParameterGradientsMatchCentralDifferences() {
        SplittableRandom rng = new SplittableRandom(33);
        LayerNorm ln = new LayerNorm("ln", 5);
        randomize(ln.gamma(), 1, rng);
        randomize(ln.beta(), 0, rng);
        DMatrixRMaj X = GradCheck.gaussian(4, 5, 2.0, rng);
        LayerCheck.check("layernorm", ln, X, GradCheck.gaussian(4, 5, 1.0, rng));
        DMatrixRMaj Y = new LayerNorm("fresh", 5).forward(X);
        double mean = 0, sq = 0;
        for (int c = 0; c < 5; c++) mean += Y.get(2, c) / 5;
        for (int c = 0; c < 5; c++) sq += (Y.get(2, c) - mean) * (Y.get(2, c) - mean) / 5;
        assertEquals(0, mean, 1e-15);
        assertEquals(1, sq, 1e-4, "unit variance up to ε");
    }

    @Test
    void residualBlockInputAndBranchGradientsMatchCentralDifferences() {
        SplittableRandom rng = new SplittableRandom(34);
        Residual block = new Residual("res", 0.5, List.of(
                new Dense("res.d0", 4, 6, Activation.TANH, new Init.XavierUniform(), rng),
                new LayerNorm("res.ln", 6),
                new Dense("res.d1", 6, 4, Activation.LINEAR, new Init.XavierUniform(), rng)));
        DMatrixRMaj X = GradCheck.gaussian(3, 4, 1.0, rng);
        LayerCheck.check("residual (α = 0.5)", block, X, GradCheck.gaussian(3, 4, 1.0, rng));

        // Y = X + α·F(X), checked against the branch alone
        DMatrixRMaj F = block.branch().forward(X).copy();
        DMatrixRMaj Y = block.forward(X);
        assertEquals(X.get(1, 2) + 0.5 * F.get(1, 2), Y.get(1, 2), 1e-15);
    }

    @Test
    void residualBlocksAreLookedThroughByTheProbeAndCanSkipTheInputGradient() {
        SplittableRandom rng = new SplittableRandom(35);
        Residual block = new Residual("res", 1, List.of(new Dense("inner", 3, 3, Activation.RELU, new Init.HeNormal(), rng)));
        Sequential model = new Sequential("m", List.of(block, new Dense("out", 3, 1, Activation.LINEAR, new Init.HeNormal(), rng)));
        GradientProbe probe = new GradientProbe(model);
        assertEquals(2, probe.stats().size());
        assertEquals("inner", probe.stats().get(0).name());
        model.setInputGradientNeeded(false);
        model.forward(GradCheck.gaussian(2, 3, 1, rng));
        assertNull(model.backward(GradCheck.gaussian(2, 1, 1, rng)));
        assertTrue(block.branch().parameters().get(0).grad().data[0] != 0 || block.branch().parameters().get(1).grad().data[0] != 0);
    }

    /** The dropout layer with its mask stream restarted before every forward: a fixed mask. */
    private static Layer fixedMask(Dropout d, long seed) {
        return new Layer() {
            public String name() { return d.name(); }
            public String kind() { return d.kind(); }
            public DMatrixRMaj forward(DMatrixRMaj X) {
                d.reseed(seed);
                return d.forward(X);
            }
            public DMatrixRMaj backward(DMatrixRMaj dA) { return d.backward(dA); }
            public List<Parameter> parameters() { return d.parameters(); }
        };
    }

    @Test
    void dropoutWithAFixedMaskMatchesCentralDifferences() {
        SplittableRandom rng = new SplittableRandom(36);
        Dropout d = new Dropout("drop", 0.3, 7);
        DMatrixRMaj X = GradCheck.gaussian(5, 6, 1.0, rng);
        LayerCheck.check("dropout (fixed mask, p = 0.3)", fixedMask(d, 7), X, GradCheck.gaussian(5, 6, 1.0, rng));
        int dropped = 0;
        for (double m : d.mask().data) {
            assertTrue(m == 0 || Math.abs(m - 1 / 0.7) < 1e-15, "mask entry " + m);
            if (m == 0) dropped++;
        }
        assertTrue(dropped > 0 && dropped < 30);
    }

    @Test
    void dropoutIsSeededInvertedAndTheIdentityInEvaluation() {
        Dropout a = new Dropout("a", 0.5, 42), b = new Dropout("b", 0.5, 42);
        DMatrixRMaj X = new DMatrixRMaj(200, 50);
        X.fill(1);
        DMatrixRMaj Ya = a.forward(X).copy();
        assertArrayEquals(Ya.data, b.forward(X).data, "same seed, same mask");
        double mean = 0;
        for (double y : Ya.data) mean += y / Ya.data.length;
        assertEquals(1.0, mean, 0.03, "inverted dropout keeps the expected activation");
        Sequential model = new Sequential("m", List.of(new Residual("r", 1, List.of(a))));
        TrainingMode.setTraining(model, false);
        assertFalse(a.isTraining());
        DMatrixRMaj Y = a.forward(X);
        assertArrayEquals(X.data, Y.data);
        assertNotAliased(X, Y);
        assertArrayEquals(X.data, a.backward(X).data);
    }

    private static void assertNotAliased(DMatrixRMaj in, DMatrixRMaj out) {
        assertFalse(in == out, "a layer returns a buffer it owns");
    }

    @Test
    void aWholeNetworkOfTheNewLayersMatchesCentralDifferencesThroughSoftmaxCrossEntropy() {
        SplittableRandom rng = new SplittableRandom(37);
        Dropout drop = new Dropout("drop", 0.2, 3);
        BatchNorm bn = new BatchNorm("bn", 6);
        randomize(bn.gamma(), 1, rng);
        randomize(bn.beta(), 0, rng);
        Sequential model = new Sequential("net", List.of(
                new Dense("d0", 5, 6, Activation.LINEAR, new Init.XavierUniform(), rng),
                bn,
                new ActivationLayer("gelu", Activation.GELU),
                new Residual("res", 0.7, List.of(
                        new Dense("res.d", 6, 6, Activation.ELU, new Init.XavierUniform(), rng),
                        new LayerNorm("res.ln", 6),
                        new PRelu("res.prelu", 6))),
                fixedMask(drop, 11),
                new Dense("out", 6, 3, Activation.LINEAR, new Init.XavierUniform(), rng)));
        DMatrixRMaj X = GradCheck.gaussian(8, 5, 1.0, rng);
        DMatrixRMaj T = new DMatrixRMaj(8, 3);
        for (int r = 0; r < 8; r++) T.set(r, r % 3, 1);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        model.zeroGrad();
        loss.forward(model.forward(X), T);
        DMatrixRMaj dX = model.backward(loss.backward()).copy();
        java.util.function.DoubleSupplier f = () -> loss.forward(model.forward(X), T);
        LayerCheck.compare("network dX", dX, GradCheck.numeric(X, f));
        for (Parameter p : model.parameters()) {
            DMatrixRMaj numeric = GradCheck.numeric(p.value(), f);
            if (p.name().equals("d0.b")) {
                // a bias right before batch normalization is subtracted out with the batch mean:
                // its true gradient is 0, so both sides must be at rounding level
                for (int i = 0; i < p.size(); i++) {
                    assertEquals(0, p.grad().data[i], 1e-14);
                    assertEquals(0, numeric.data[i], 1e-9);
                }
                continue;
            }
            LayerCheck.compare("network d" + p.name(), p.grad().copy(), numeric);
        }
        assertSame(model.parameters().get(0), model.sublayers().get(0).parameters().get(0));
    }
}
