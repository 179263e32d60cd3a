package dev.gradwatch.trainer.nn.recurrent;

import dev.gradwatch.trainer.data.AddingProblem;
import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Dense;
import dev.gradwatch.trainer.nn.Init;
import dev.gradwatch.trainer.nn.Loss;
import dev.gradwatch.trainer.nn.Sequential;
import dev.gradwatch.trainer.optim.ClipGradNorm;
import dev.gradwatch.trainer.optim.Sgd;
import dev.gradwatch.trainer.probe.GradientProbe;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A warmed-up recurrent training step (data, forward, BPTT, probe, clipping, SGD) allocates (almost) nothing. */
class RecurrentAllocationTest {

    static final int STEPS = 12, BATCH = 16, HIDDEN = 24;
    static final int WARM_UP_STEPS = 600, MEASURED_STEPS = 300;
    static final long MAX_BYTES_PER_STEP = 256;

    @ParameterizedTest
    @ValueSource(strings = {"rnn", "lstm", "gru"})
    void aSteadyStateStepAllocatesAtMostAFewBytes(String kind) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        SplittableRandom rng = new SplittableRandom(4);
        RecurrentLayer layer = RecurrentGradientTest.layer(kind, 2, HIDDEN, STEPS, rng);
        Sequential net = new Sequential("net", List.of(layer, new LastTimeStep("last", STEPS),
                new Dense("head", HIDDEN, 1, Activation.LINEAR, new Init.XavierUniform(), rng)));
        GradientProbe probe = new GradientProbe(net);
        Loss mse = Loss.of("mse");
        Sgd sgd = new Sgd(net.parameters(), 0.05, 0.9);
        AddingProblem task = new AddingProblem(STEPS, 5);
        DMatrixRMaj X = new DMatrixRMaj(1, 1), T = new DMatrixRMaj(1, 1);

        double sink = 0;
        long before = 0;
        for (int i = 0; i < WARM_UP_STEPS + MEASURED_STEPS; i++) {
            if (i == WARM_UP_STEPS) before = threads.getCurrentThreadAllocatedBytes();
            task.nextBatch(BATCH, X, T);
            net.zeroGrad();
            sink += mse.forward(net.forward(X), T);
            net.backward(mse.backward());
            probe.measureGradients();
            ClipGradNorm.clip(net.parameters(), 1.0);
            sgd.step();
            probe.measureUpdates(true);
            sink += layer.timeStepGradNorms()[0];
        }
        long perStep = (threads.getCurrentThreadAllocatedBytes() - before) / MEASURED_STEPS;
        System.out.printf("%s: %d bytes allocated per step (sink %.3f)%n", kind, perStep, sink);
        assertTrue(perStep <= MAX_BYTES_PER_STEP, kind + " allocates " + perStep + " bytes per step");
    }
}
