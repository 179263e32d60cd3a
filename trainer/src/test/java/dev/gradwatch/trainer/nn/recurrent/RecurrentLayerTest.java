package dev.gradwatch.trainer.nn.recurrent;

import dev.gradwatch.events.LayerStats;
import dev.gradwatch.trainer.engine.Norms;
import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Dense;
import dev.gradwatch.trainer.nn.GradCheck;
import dev.gradwatch.trainer.nn.Init;
import dev.gradwatch.trainer.nn.Sequential;
import dev.gradwatch.trainer.probe.GradientProbe;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shapes, initialisation, reshaping and the probe's view of recurrent layers. */
class RecurrentLayerTest {

    @Test
    void eachRecurrentGateBlockIsOrthogonalEachInputBlockStaysInsideItsXavierBoundAndTheForgetBiasIsSet() {
        SplittableRandom rng = new SplittableRandom(3);
        Lstm lstm = new Lstm("lstm", 5, 6, 4, 1.0, rng);
        DMatrixRMaj Wh = lstm.recurrentWeights().value();
        for (int gate = 0; gate < 4; gate++) {
            DMatrixRMaj Q = CommonOps_DDRM.extract(Wh, 0, 6, gate * 6, gate * 6 + 6);
            DMatrixRMaj QtQ = new DMatrixRMaj(6, 6);
            CommonOps_DDRM.multTransA(Q, Q, QtQ);
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 6; j++) assertEquals(i == j ? 1 : 0, QtQ.get(i, j), 1e-12, "QᵀQ of gate " + gate);
            }
        }
        double bound = Math.sqrt(6.0 / (5 + 6));
        for (double w : lstm.inputWeights().value().data) assertTrue(Math.abs(w) <= bound);
        double[] b = lstm.bias().value().data;
        for (int j = 0; j < 24; j++) assertEquals(j >= 6 && j < 12 ? 1.0 : 0.0, b[j], "bias " + j + " (forget gate is 6..11)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rnn", "lstm", "gru"})
    void changingBatchAndSequenceLengthGivesTheSameOutputsAsAFreshLayer(String kind) {
        RecurrentLayer used = RecurrentGradientTest.layer(kind, 3, 5, 7, new SplittableRandom(5));
        SplittableRandom data = new SplittableRandom(9);
        used.forward(GradCheck.gaussian(7 * 4, 3, 1, data));
        used.backward(GradCheck.gaussian(7 * 4, 5, 1, data));
        used.setTimeSteps(3);
        DMatrixRMaj X = GradCheck.gaussian(3 * 2, 3, 1, data);
        DMatrixRMaj Y = used.forward(X).copy();

        RecurrentLayer fresh = RecurrentGradientTest.layer(kind, 3, 5, 3, new SplittableRandom(5));
        assertArrayEquals(fresh.forward(X).data, Arrays.copyOf(Y.data, Y.getNumElements()));
        assertEquals(6, Y.numRows);
        assertEquals(3, used.timeStepGradNorms().length);
    }

    @Test
    void aSequenceWhoseRowsAreNotAMultipleOfTheStepsIsRefusedNamingTheLayer() {
        Rnn rnn = new Rnn("rnn0", 2, 3, 4, new SplittableRandom(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rnn.forward(new DMatrixRMaj(6, 2)));
        assertTrue(e.getMessage().startsWith("rnn0:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> rnn.forward(new DMatrixRMaj(8, 3)));
    }

    @Test
    void stackingStepMatricesAndTakingStepsBackAreInverse() {
        SplittableRandom rng = new SplittableRandom(8);
        DMatrixRMaj[] steps = {GradCheck.gaussian(3, 2, 1, rng), GradCheck.gaussian(3, 2, 1, rng), GradCheck.gaussian(3, 2, 1, rng)};
        DMatrixRMaj sequence = TimeMajor.stack(steps, new DMatrixRMaj(1, 1));
        assertEquals(9, sequence.numRows);
        assertEquals(steps[1].get(2, 1), sequence.get(1 * 3 + 2, 1));
        DMatrixRMaj out = new DMatrixRMaj(1, 1);
        for (int t = 0; t < 3; t++) assertArrayEquals(steps[t].data, TimeMajor.step(sequence, 3, t, out).data, 0);
        assertThrows(IllegalArgumentException.class, () -> TimeMajor.stack(
                new DMatrixRMaj[]{new DMatrixRMaj(3, 2), new DMatrixRMaj(2, 2)}, new DMatrixRMaj(1, 1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rnn", "lstm", "gru"})
    void theUnrolledLayerComputesTheCellEquationsOfAPlainStepByStepReference(String kind) {
        SplittableRandom rng = new SplittableRandom(12);
        int steps = 5, batch = 3, inputs = 2, hidden = 4;
        RecurrentLayer layer = RecurrentGradientTest.layer(kind, inputs, hidden, steps, new SplittableRandom(6));
        RecurrentGradientTest.randomizeBiases(layer, rng);
        DMatrixRMaj X = GradCheck.gaussian(steps * batch, inputs, 1, rng);
        DMatrixRMaj Y = layer.forward(X);
        DMatrixRMaj[] expected = ReferenceCells.run(kind, layer, X, steps);
        DMatrixRMaj out = new DMatrixRMaj(1, 1);
        for (int t = 0; t < steps; t++) {
            TimeMajor.step(Y, steps, t, out);
            for (int i = 0; i < out.getNumElements(); i++) {
                assertEquals(expected[t].data[i], out.data[i], 1e-14, kind + " h_" + t + "[" + i + "]");
            }
        }
    }

    @Test
    void theLastTimeStepIsTheFinalBlockAndItsGradientGoesOnlyThere() {
        LastTimeStep last = new LastTimeStep("last", 3);
        DMatrixRMaj X = new DMatrixRMaj(6, 2);
        for (int i = 0; i < 12; i++) X.data[i] = i;
        assertArrayEquals(new double[]{8, 9, 10, 11}, last.forward(X).data, 0);
        DMatrixRMaj dX = last.backward(new DMatrixRMaj(2, 2, true, 1, 2, 3, 4));
        assertArrayEquals(new double[]{0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, dX.data, 0);
        assertTrue(last.parameters().isEmpty());
    }

    @Test
    void theProbeReportsEachStepsHiddenStateGradientNormForRecurrentLayersOnly() {
        SplittableRandom rng = new SplittableRandom(2);
        Lstm lstm = new Lstm("lstm", 2, 4, 5, 1.0, rng);
        Dense head = new Dense("head", 4, 1, Activation.LINEAR, new Init.XavierUniform(), rng);
        Sequential net = new Sequential("net", List.of(lstm, new LastTimeStep("last", 5), head));
        GradientProbe probe = new GradientProbe(net);
        net.zeroGrad();
        net.forward(GradCheck.gaussian(5 * 3, 2, 1, rng));
        net.backward(new DMatrixRMaj(3, 1, true, 1, -1, 0.5));
        probe.measureGradients();

        List<LayerStats> stats = probe.snapshot();
        assertEquals(2, stats.size());
        double[] norms = stats.get(0).timeStepGradNorms();
        assertArrayEquals(lstm.timeStepGradNorms(), norms, 0);
        assertEquals(5, norms.length);
        // at the last step ∂L/∂h = dA · headᵀ exactly
        DMatrixRMaj dh = new DMatrixRMaj(3, 4);
        CommonOps_DDRM.multTransB(new DMatrixRMaj(3, 1, true, 1, -1, 0.5), head.weights().value(), dh);
        assertEquals(Norms.l2(dh), norms[4], 1e-15);
        assertNull(stats.get(1).timeStepGradNorms());

        lstm.timeStepGradNorms()[0] = -1;
        assertTrue(probe.snapshot().get(0).timeStepGradNorms()[0] >= 0, "the probe keeps the norms of its measurement");
        assertTrue(probe.snapshot().get(0).timeStepGradNorms() != probe.snapshot().get(0).timeStepGradNorms(),
                "each record gets its own copy");
    }
}
