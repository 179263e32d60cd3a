package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ELU, GELU (exact and tanh), Leaky ReLU, PReLU, softmax and softmax cross-entropy. */
class NewActivationTest {

    @ParameterizedTest
    @ValueSource(strings = {"leaky-relu:0.01", "leaky-relu:0.2", "elu", "elu:0.5", "gelu", "gelu-tanh"})
    void backwardMatchesCentralDifferences(String name) {
        Activation f = Activation.of(name);
        SplittableRandom rng = new SplittableRandom(21);
        DMatrixRMaj Z = GradCheck.gaussian(5, 7, 2.0, rng);
        Z.set(0, 0, 7.5);   // far tails, where GELU's erf series runs longest
        Z.set(0, 1, -7.5);
        GradCheck.assertAwayFromZero("Z", Z, 1e-3);
        DMatrixRMaj R = GradCheck.gaussian(5, 7, 1.0, rng);
        DMatrixRMaj A = new DMatrixRMaj(5, 7);
        DMatrixRMaj dZ = new DMatrixRMaj(5, 7);
        f.forward(Z, A);
        f.backward(Z, A, R, dZ);
        DMatrixRMaj numeric = GradCheck.numeric(Z, () -> {
            DMatrixRMaj out = new DMatrixRMaj(5, 7);
            f.forward(Z, out);
            return GradCheck.weightedSum(out, R);
        });
        LayerCheck.compare(name + " dZ", dZ, numeric);
    }

    @ParameterizedTest
    @ValueSource(strings = {"leaky-relu:0.1", "elu", "gelu", "gelu-tanh"})
    void denseLayersWithTheNewActivationsFusedInMatchCentralDifferences(String name) {
        SplittableRandom rng = new SplittableRandom(23);
        Dense dense = new Dense("dense", 5, 4, Activation.of(name), new Init.XavierNormal(), rng);
        DMatrixRMaj X = GradCheck.gaussian(6, 5, 1.0, rng);
        LayerCheck.check("dense/" + name, dense, X, GradCheck.gaussian(6, 4, 1.0, rng));
    }

    @Test
    void geluIsTheExactErfFormByDefaultAndMatchesPyTorchsFormulas() {
        // PyTorch's formulas x·½(1 + erf(x/√2)) and its approximate='tanh' form, evaluated in
        // Python with the C library's erf (math.erf) as an independent oracle
        DMatrixRMaj Z = new DMatrixRMaj(new double[][]{{-3, -1, 0, 0.5, 1, 2}});
        double[] exact = {-0.00404969409489031, -0.15865525393145707, 0, 0.34573123063700656, 0.8413447460685429,
            1.9544997361036416};
        double[] tanh = {-0.0036373920817729943, -0.15880800939172324, 0, 0.34571400982514394, 0.8411919906082768,
            1.954597694087775};
        DMatrixRMaj A = new DMatrixRMaj(1, 6);
        Activation.of("gelu").forward(Z, A);
        for (int i = 0; i < 6; i++) assertEquals(exact[i], A.data[i], 1e-12, "gelu(" + Z.data[i] + ")");
        Activation.of("gelu-tanh").forward(Z, A);
        for (int i = 0; i < 6; i++) assertEquals(tanh[i], A.data[i], 1e-12, "gelu-tanh(" + Z.data[i] + ")");
    }

    @Test
    void erfAgreesWithTabulatedValues() {
        // Python's math.erf / math.erfc (the C library's) as the oracle
        assertEquals(0.0, Gelu.erf(0.0));
        assertEquals(0.1124629160182849, Gelu.erf(0.1), 1e-16);
        assertEquals(0.8427007929497149, Gelu.erf(1.0), 1e-15);
        assertEquals(-0.9953222650189527, Gelu.erf(-2.0), 1e-15);
        assertEquals(0.9999779095030014, Gelu.erf(3.0), 1e-15);
        assertEquals(0.9999999999984626, Gelu.erf(5.0), 1e-15);
        assertEquals(1.0, Gelu.erf(40));
        assertEquals(0.15729920705028513, Gelu.erfc(1.0), 1e-15);
        assertEquals(0.004677734981047265, Gelu.erfc(2.0), 4e-16 * 0.0047);
        assertEquals(2.2090496998585438e-05, Gelu.erfc(3.0), 1e-15 * 2.2e-5);
        assertEquals(1.5374597944280351e-12, Gelu.erfc(5.0), 1e-15 * 1.5e-12);
        assertTrue(Double.isNaN(Gelu.erf(Double.NaN)));
    }

    @Test
    void eluSaturatesAtMinusAlpha() {
        DMatrixRMaj Z = new DMatrixRMaj(new double[][]{{-50, -1, 2}});
        DMatrixRMaj A = new DMatrixRMaj(1, 3);
        Activation.of("elu:0.5").forward(Z, A);
        assertEquals(-0.5, A.get(0, 0), 1e-15);
        assertEquals(0.5 * (Math.exp(-1) - 1), A.get(0, 1), 1e-15);
        assertEquals(2.0, A.get(0, 2));
        assertThrows(IllegalArgumentException.class, () -> Activation.of("elu:-1"));
        assertEquals("elu:0.5", Activation.of("elu:0.5").name());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 6})
    void preluInputAndSlopeGradientsMatchCentralDifferences(int slopes) {
        SplittableRandom rng = new SplittableRandom(5);
        PRelu layer = new PRelu("prelu", 6, slopes, 0.25);
        for (int i = 0; i < slopes; i++) layer.slopes().value().data[i] = 0.1 + 0.05 * i;
        DMatrixRMaj X = GradCheck.gaussian(4, 6, 1.0, rng);
        GradCheck.assertAwayFromZero("X", X, 1e-3);
        DMatrixRMaj R = GradCheck.gaussian(4, 6, 1.0, rng);
        LayerCheck.check("prelu(" + slopes + " slopes)", layer, X, R);
    }

    @Test
    void preluSlopeGradientIsTheSumOverNegativeInputs() {
        PRelu layer = new PRelu("p", 2, 1, 0.25);
        DMatrixRMaj X = new DMatrixRMaj(new double[][]{{-2, 3}, {-1, -4}});
        DMatrixRMaj dA = new DMatrixRMaj(new double[][]{{1, 1}, {2, 0.5}});
        DMatrixRMaj A = layer.forward(X);
        assertEquals(-0.5, A.get(0, 0));
        assertEquals(3.0, A.get(0, 1));
        DMatrixRMaj dX = layer.backward(dA);
        // da = 1·(−2) + 2·(−1) + 0.5·(−4)
        assertEquals(-6.0, layer.slopes().grad().get(0, 0), 1e-15);
        assertEquals(0.25, dX.get(0, 0));
        assertEquals(1.0, dX.get(0, 1));
    }

    @Test
    void activationLayerMatchesCentralDifferences() {
        SplittableRandom rng = new SplittableRandom(8);
        DMatrixRMaj X = GradCheck.gaussian(3, 5, 1.0, rng);
        LayerCheck.check("activation-layer/gelu", new ActivationLayer("act", Activation.GELU), X,
                GradCheck.gaussian(3, 5, 1.0, rng));
    }

    @Test
    void softmaxLayerMatchesCentralDifferences() {
        SplittableRandom rng = new SplittableRandom(9);
        DMatrixRMaj X = GradCheck.gaussian(4, 5, 2.0, rng);
        LayerCheck.check("softmax", new Softmax("softmax"), X, GradCheck.gaussian(4, 5, 1.0, rng));
    }

    @Test
    void softmaxCrossEntropyMatchesCentralDifferencesForOneHotAndSoftTargets() {
        SplittableRandom rng = new SplittableRandom(10);
        DMatrixRMaj Z = GradCheck.gaussian(6, 4, 2.0, rng);
        DMatrixRMaj oneHot = new DMatrixRMaj(6, 4);
        for (int r = 0; r < 6; r++) oneHot.set(r, r % 4, 1);
        DMatrixRMaj soft = new DMatrixRMaj(6, 4);
        for (int r = 0; r < 6; r++) {
            double s = 0;
            for (int c = 0; c < 4; c++) {
                soft.set(r, c, rng.nextDouble());
                s += soft.get(r, c);
            }
            for (int c = 0; c < 4; c++) soft.set(r, c, soft.get(r, c) / s);
        }
        for (DMatrixRMaj T : new DMatrixRMaj[]{oneHot, soft}) {
            SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
            loss.forward(Z, T);
            DMatrixRMaj dZ = loss.backward().copy();
            DMatrixRMaj numeric = GradCheck.numeric(Z, () -> loss.forward(Z, T));
            LayerCheck.compare("softmax-ce dZ (" + (T == oneHot ? "one-hot" : "soft") + ")", dZ, numeric);
        }
    }

    @Test
    void softmaxCrossEntropyIsFiniteAndExactForHugeLogits() {
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        DMatrixRMaj Z = new DMatrixRMaj(new double[][]{{1000, 0, -1000}, {0, 0, 0}});
        DMatrixRMaj T = new DMatrixRMaj(new double[][]{{0, 1, 0}, {1, 0, 0}});
        // row 0: −log softmax = 1000 − 0; row 1: log 3
        assertEquals((1000 + Math.log(3)) / 2, loss.forward(Z, T), 1e-12);
        DMatrixRMaj dZ = loss.backward();
        assertEquals(0.5, dZ.get(0, 0), 1e-15);
        assertEquals(-0.5, dZ.get(0, 1), 1e-15);
        assertEquals((1.0 / 3 - 1) / 2, dZ.get(1, 0), 1e-15);
        assertEquals(1.0, loss.probabilities().get(0, 0));
    }
}
