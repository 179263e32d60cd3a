package dev.gradwatch.trainer.probe;

import dev.gradwatch.events.LayerStats;
import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Dense;
import dev.gradwatch.trainer.nn.Init;
import dev.gradwatch.trainer.nn.MeanSquaredError;
import dev.gradwatch.trainer.nn.Sequential;
import dev.gradwatch.trainer.optim.Adam;
import dev.gradwatch.trainer.optim.Optimizer;
import dev.gradwatch.trainer.optim.Sgd;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The weight L2 before the update and the update ratio, which the probe takes from the optimizer
 * when it records Σw², against figures computed here from copies of the weights: over several
 * steps, with weights changed between steps, a skipped step, figures read before the update, and
 * an optimizer that records no Σw².
 */
class GradientProbeWeightNormTest {

    private final SplittableRandom rng = new SplittableRandom(5);
    private final Sequential net = new Sequential("net", List.of(
            new Dense("dense0", 6, 5, Activation.TANH, Init.parse("he-normal"), rng),
            new Dense("dense1", 5, 3, Activation.LINEAR, Init.parse("he-normal"), rng)));
    private final List<Layer> layers = Layer.parameterisedLeaves(net);
    private final MeanSquaredError loss = new MeanSquaredError();
    private final DMatrixRMaj X = random(8, 6);
    private final DMatrixRMaj T = random(8, 3);
    private final GradientProbe probe = new GradientProbe(net);

    private DMatrixRMaj random(int rows, int cols) {
        DMatrixRMaj M = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < M.data.length; i++) M.data[i] = rng.nextGaussian();
        return M;
    }

    private void forwardBackward() {
        net.zeroGrad();
        loss.forward(net.forward(X), T);
        net.backward(loss.backward());
    }

    private static double[][] copyWeights(Layer layer) {
        List<Parameter> ps = layer.parameters();
        double[][] out = new double[ps.size()][];
        for (int p = 0; p < ps.size(); p++) out[p] = ps.get(p).value().data.clone();
        return out;
    }

    private static double l2(double[][] w) {
        double s = 0;
        for (double[] d : w) for (double x : d) s += x * x;
        return Math.sqrt(s);
    }

    private static double l2OfDifference(Layer layer, double[][] before) {
        double s = 0;
        List<Parameter> ps = layer.parameters();
        for (int p = 0; p < ps.size(); p++) {
            double[] w = ps.get(p).value().data;
            for (int i = 0; i < w.length; i++) s += (w[i] - before[p][i]) * (w[i] - before[p][i]);
        }
        return Math.sqrt(s);
    }

    /** One probed step; checks ‖w‖ before the update and ‖Δw‖/‖w‖ of every layer. */
    private void stepAndCheck(Optimizer optimizer, String when) {
        forwardBackward();
        double[][][] before = new double[layers.size()][][];
        for (int l = 0; l < layers.size(); l++) before[l] = copyWeights(layers.get(l));
        probe.measureGradients();
        optimizer.step();
        probe.measureUpdates(true);
        for (int l = 0; l < layers.size(); l++) {
            LayerStats s = probe.layer(l);
            double norm = l2(before[l]);
            assertEquals(norm, s.weightL2(), 1e-12 * norm, when + ": ‖w‖ before the update of " + s.name());
            double ratio = l2OfDifference(layers.get(l), before[l]) / norm;
            assertEquals(ratio, s.updateRatio(), 1e-9 * ratio, when + ": update ratio of " + s.name());
        }
    }

    @Test
    void sgdAndAdamStepsReportTheWeightsBeforeTheirUpdate() {
        Sgd sgd = new Sgd(net.parameters(), 0.2, 0.9);
        for (int step = 0; step < 4; step++) stepAndCheck(sgd, "sgd step " + step);
        Adam adam = Adam.adamW(net.parameters(), 0.05, 0.01);
        for (int step = 0; step < 3; step++) stepAndCheck(adam, "adam step " + step);
    }

    @Test
    void weightsChangedBetweenStepsAreTheOnesMeasured() {
        Sgd sgd = new Sgd(net.parameters(), 0.2, 0.9);
        stepAndCheck(sgd, "first step");
        stepAndCheck(sgd, "second step");
        // as if loaded from elsewhere: scaled, and one entry replaced
        for (Parameter p : layers.get(0).parameters()) {
            double[] w = p.value().data;
            for (int i = 0; i < w.length; i++) w[i] *= 3;
        }
        layers.get(1).parameters().get(0).value().data[0] = 40;
        stepAndCheck(sgd, "step after the weights were changed");
    }

    @Test
    void aSkippedStepAndFiguresReadBeforeTheUpdateMeasureTheWeightsAsTheyAre() {
        Sgd sgd = new Sgd(net.parameters(), 0.2, 0.9);
        stepAndCheck(sgd, "first step");
        // skipped: no update between measuring the gradients and the update ratios
        forwardBackward();
        double[][] w0 = copyWeights(layers.get(0));
        probe.measureGradients();
        probe.measureUpdates(false);
        assertEquals(l2(w0), probe.layer(0).weightL2(), 1e-12 * l2(w0));
        assertEquals(0.0, probe.layer(0).updateRatio());
        // read after the gradients and before the update (what ModelRun.forwardBackward allows)
        forwardBackward();
        probe.measureGradients();
        double[][] w1 = copyWeights(layers.get(1));
        assertEquals(l2(w1), probe.layer(1).weightL2(), 1e-12 * l2(w1));
        sgd.step();
        probe.measureUpdates(true);
        assertEquals(l2(w1), probe.layer(1).weightL2(), 1e-12 * l2(w1), "the update does not change the figure read");
        assertEquals(l2OfDifference(layers.get(1), w1) / l2(w1), probe.layer(1).updateRatio(), 1e-9);
    }

    /** Plain SGD that records only ‖Δw‖², as an optimizer written before Σw² was recorded does. */
    private record UpdateNormOnly(List<Parameter> params, double rate) implements Optimizer {
        @Override
        public void step() {
            for (Parameter p : params) {
                double[] w = p.value().data, g = p.grad().data;
                double s = 0;
                for (int i = 0; i < w.length; i++) {
                    double before = w[i];
                    w[i] -= rate * g[i];
                    s += (w[i] - before) * (w[i] - before);
                }
                p.recordUpdate(s);
            }
        }

        @Override
        public double learningRate() {
            return rate;
        }

        @Override
        public void setLearningRate(double learningRate) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void anOptimizerThatRecordsNoWeightNormLeavesThePassToTheProbe() {
        Optimizer plain = new UpdateNormOnly(net.parameters(), 0.2);
        for (int step = 0; step < 3; step++) stepAndCheck(plain, "step " + step);
        Sgd sgd = new Sgd(net.parameters(), 0.2);
        stepAndCheck(sgd, "first step with an optimizer that records it");
        stepAndCheck(sgd, "second step with an optimizer that records it");
    }
}
