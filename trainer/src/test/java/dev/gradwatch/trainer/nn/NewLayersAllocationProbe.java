package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.optim.Optimizer;
import org.ejml.data.DMatrixRMaj;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/** Trains a network of every new layer and measures the bytes one steady-state step allocates. */
public final class NewLayersAllocationProbe {

    private NewLayersAllocationProbe() {
    }

    public static Sequential network(SplittableRandom rng) {
        return new Sequential("net", List.of(
                new Dense("d0", 16, 32, Activation.LINEAR, new Init.HeNormal(), rng),
                new BatchNorm("bn", 32),
                new ActivationLayer("gelu", Activation.GELU),
                new Residual("res", 0.5, List.of(
                        new Dense("res.d", 32, 32, Activation.ELU, new Init.HeNormal(), rng),
                        new LayerNorm("res.ln", 32),
                        new PRelu("res.prelu", 32))),
                new Dropout("drop", 0.1, 5),
                new ActivationLayer("tanh-approx-gelu", Activation.GELU_TANH),
                new Dense("out", 32, 4, Activation.LINEAR, new Init.HeNormal(), rng)));
    }

    /** Bytes allocated per step after warm-up, for the optimizer {@code make} builds on the parameters. */
    public static long bytesPerStep(Function<List<Parameter>, Optimizer> make) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        SplittableRandom rng = new SplittableRandom(1);
        Sequential model = network(rng);
        Optimizer opt = make.apply(model.parameters());
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        DMatrixRMaj[] X = {GradCheck.gaussian(32, 16, 1, rng), GradCheck.gaussian(8, 16, 1, rng)};
        DMatrixRMaj[] T = {new DMatrixRMaj(32, 4), new DMatrixRMaj(8, 4)};
        for (DMatrixRMaj t : T) for (int r = 0; r < t.numRows; r++) t.set(r, r % 4, 1);
        double sink = 0;
        int warmUp = 2000, measured = 2000;
        long before = 0;
        for (int i = 0; i < warmUp + measured; i++) {
            if (i == warmUp) before = threads.getCurrentThreadAllocatedBytes();
            int k = (i / 7) % 2; // batch size changes every 7 steps: buffers reshape, never reallocate
            model.zeroGrad();
            sink += loss.forward(model.forward(X[k]), T[k]);
            model.backward(loss.backward());
            opt.step();
        }
        long perStep = (threads.getCurrentThreadAllocatedBytes() - before) / measured;
        System.out.printf("new layers with %s: %d bytes allocated per step (loss sum %.3f)%n",
                opt.getClass().getSimpleName(), perStep, sink);
        return perStep;
    }

}
