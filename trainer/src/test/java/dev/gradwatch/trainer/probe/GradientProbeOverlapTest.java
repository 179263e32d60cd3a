package dev.gradwatch.trainer.probe;

import dev.gradwatch.events.LayerStats;
import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Norms;
import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.engine.TimeStepGradients;
import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Dense;
import dev.gradwatch.trainer.nn.Init;
import dev.gradwatch.trainer.nn.MeanSquaredError;
import dev.gradwatch.trainer.nn.Sequential;
import dev.gradwatch.trainer.optim.Sgd;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe with a helper thread, measuring while the training thread takes the global norm and
 * updates the weights, against the same probe on the training thread alone: the same figures to
 * the bit, step after step, a NaN step included; its helper thread ends when idle and comes back;
 * what a layer's measurement throws on the helper reaches the caller.
 */
class GradientProbeOverlapTest {

    /** One network with its data and optimizer, stepped as the trainers step it. */
    private static final class Run {
        final Sequential net;
        final List<Parameter> params;
        final Sgd sgd;
        final GradientProbe probe;
        final MeanSquaredError loss = new MeanSquaredError();
        final DMatrixRMaj X;
        final DMatrixRMaj T;
        /** Time the helper spent measuring, over all steps so far. */
        long helperNanos;

        Run(boolean helper) {
            SplittableRandom rng = new SplittableRandom(11);
            List<Layer> layers = new ArrayList<>();
            int in = 12;
            for (int i = 0; i < 7; i++) {
                Activation f = i == 6 ? Activation.LINEAR : i % 2 == 0 ? Activation.RELU : Activation.SIGMOID;
                int out = i == 6 ? 3 : 40;
                layers.add(new Dense("dense" + i, in, out, f, Init.parse("he-normal"), rng));
                in = out;
            }
            net = new Sequential("overlap", layers);
            params = net.parameters();
            sgd = new Sgd(params, 0.05, 0.9);
            probe = helper ? GradientProbe.withHelper(net, TimeUnit.SECONDS.toNanos(30)) : new GradientProbe(net);
            X = new DMatrixRMaj(16, 12);
            T = new DMatrixRMaj(16, 3);
            for (int i = 0; i < X.data.length; i++) X.data[i] = rng.nextGaussian();
            for (int i = 0; i < T.data.length; i++) T.data[i] = rng.nextGaussian();
        }

        /**
         * Forward, backward, the gradients changed as {@code change} says, probe begun, the global
         * norm from the probe's pass (checked against {@link Norms#globalGradL2} to the bit), SGD
         * when finite, the probe's update figures.
         */
        List<String> step(String change) throws InterruptedException {
            return step(change, false);
        }

        /** As {@link #step(String)}; with {@code helperFirst}, this thread waits a little after the start, so the helper takes layers. */
        List<String> step(String change, boolean helperFirst) throws InterruptedException {
            net.zeroGrad();
            loss.forward(net.forward(X), T);
            net.backward(loss.backward());
            switch (change) {
                case "nan" -> params.get(4).grad().data[7] = Double.NaN;
                case "-inf" -> params.get(2).grad().data[3] = Double.NEGATIVE_INFINITY;
                // Σg² overflows, or underflows, with finite entries: the scaled paths
                case "huge" -> params.forEach(p -> CommonOps_DDRM.scale(1e200, p.grad()));
                case "tiny" -> params.forEach(p -> CommonOps_DDRM.scale(1e-200, p.grad()));
                default -> {
                }
            }
            probe.beginMeasureGradients();
            if (helperFirst) Thread.sleep(5);
            double norm = probe.globalGradL2();
            assertEquals(Double.doubleToLongBits(Norms.globalGradL2(params)), Double.doubleToLongBits(norm), change);
            boolean finite = Double.isFinite(norm) && !change.equals("huge") && !change.equals("tiny");
            if (finite) sgd.step();
            probe.measureUpdates(finite);
            helperNanos += probe.lastBackgroundNanos();
            List<String> out = new ArrayList<>();
            out.add("norm " + norm);
            for (LayerStats s : probe.stats()) out.add(describe(s));
            return out;
        }
    }

    /** Every field of the record, the histogram and time-step norms by value. */
    private static String describe(LayerStats s) {
        return s + " histogram=" + Arrays.toString(s.gradHistogram()) + " timeSteps=" + Arrays.toString(s.timeStepGradNorms());
    }

    @Test
    void theHelperMeasuresWhatTheTrainingThreadAloneMeasures() throws InterruptedException {
        Run inline = new Run(false);
        Run overlapped = new Run(true);
        assertTrue(overlapped.probe.measuresInBackground());
        assertFalse(inline.probe.measuresInBackground());
        String[] changes = {"nan", "-inf", "huge", "tiny"};
        for (int step = 0; step < 40; step++) {
            String change = step >= 17 && step < 17 + changes.length ? changes[step - 17] : "none";
            List<String> expected = inline.step(change);
            // every other step the helper gets time to take layers before this thread goes on
            List<String> actual = overlapped.step(change, step % 2 == 0);
            assertEquals(expected, actual, "step " + step + " (" + change + ")");
            if (change.equals("nan") || change.equals("-inf")) {
                assertEquals(1, inline.probe.nonFiniteCount());
                assertEquals(1, overlapped.probe.nonFiniteCount());
            }
            if (change.equals("huge") || change.equals("tiny")) {
                assertTrue(Double.isFinite(overlapped.probe.layer(3).gradL2()) && overlapped.probe.layer(3).gradL2() > 0, change);
            }
        }
        assertTrue(overlapped.helperNanos > 0, "the helper measured some of the layers");
        // the weights too: the helper never wrote to what the training thread reads
        for (int p = 0; p < inline.params.size(); p++) {
            assertTrue(Arrays.equals(inline.params.get(p).value().data, overlapped.params.get(p).value().data), "parameter " + p);
        }
    }

    @Test
    void theHelperThreadEndsWhenIdleAndComesBackForTheNextStep() throws InterruptedException {
        SplittableRandom rng = new SplittableRandom(3);
        Sequential net = new Sequential("idle-net", List.of(new Dense("d", 4, 3, Activation.TANH, Init.parse("xavier-normal"), rng)));
        GradientProbe probe = GradientProbe.withHelper(net, TimeUnit.MILLISECONDS.toNanos(200));
        net.zeroGrad();
        DMatrixRMaj X = new DMatrixRMaj(2, 4);
        X.data[1] = 1;
        net.backward(net.forward(X));
        probe.measureGradients();
        double first = probe.layer(0).gradL2();
        assertTrue(helperAlive("gradient-probe-idle-net"), "a helper thread after a measurement");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (helperAlive("gradient-probe-idle-net") && System.nanoTime() < deadline) Thread.sleep(20);
        assertFalse(helperAlive("gradient-probe-idle-net"), "the idle helper ended");
        probe.beginMeasureGradients();
        assertTrue(helperAlive("gradient-probe-idle-net"), "a new helper for the next measurement");
        probe.awaitGradients();
        assertEquals(first, probe.layer(0).gradL2());
    }

    private static boolean helperAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    /** A layer whose time-step norms, which only a layer's measurement reads, throw while {@code failure} holds one. */
    private record FailingLayer(String name, List<Parameter> parameters, AtomicReference<RuntimeException> failure)
            implements IdentityLayer, TimeStepGradients {
        @Override
        public double[] timeStepGradNorms() {
            RuntimeException e = failure.get();
            if (e != null) throw e;
            return new double[]{0.5};
        }
    }

    @Test
    void whatALayersMeasurementThrowsReachesTheCaller() {
        FailingLayer layer = new FailingLayer("failing", List.of(new Parameter("w", 2, 2)), new AtomicReference<>());
        GradientProbe probe = GradientProbe.withHelper(new Sequential("failing-net", List.of(layer)), TimeUnit.SECONDS.toNanos(30));
        IllegalStateException boom = new IllegalStateException("boom");
        for (int i = 0; i < 20; i++) {
            layer.failure().set(boom);
            probe.beginMeasureGradients();
            // whether the helper or this thread took the layer, the failure comes out here, once
            assertSame(boom, assertThrows(IllegalStateException.class, probe::awaitGradients));
            layer.failure().set(null);
            probe.measureGradients();
            assertEquals(0.5, probe.layer(0).timeStepGradNorms()[0]);
        }
    }
}
