package dev.gradwatch.trainer.bench;

import com.sun.management.ThreadMXBean;
import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.MatrixOps;
import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Dense;
import dev.gradwatch.trainer.nn.Init;
import dev.gradwatch.trainer.nn.Sequential;
import dev.gradwatch.trainer.nn.SoftmaxCrossEntropy;
import dev.gradwatch.trainer.optim.Sgd;
import dev.gradwatch.trainer.probe.GradientProbe;
import org.ejml.data.DMatrixRMaj;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training-step time of dense ReLU MLPs (input 784, 10 classes, softmax cross-entropy, SGD with
 * momentum 0.9, He init), with and without the gradient probe, next to the GFLOP/s the step
 * achieves and the GFLOP/s the same backend's multiply reaches alone at the step's dominant shape.
 */
public final class TrainerBench {

    /** One network shape. */
    public record Config(String name, int depth, int width, int batch) {
    }

    public static final List<Config> CONFIGS = List.of(
            new Config("d10-w256-b64", 10, 256, 64),
            new Config("d20-w256-b64", 20, 256, 64),
            new Config("d8-w1024-b128", 8, 1024, 128));

    /** Medians over the timed steps of one configuration. */
    public record Result(String config, String backend, String blasImplementation, long parameters, double stepMs,
                         double stepWithProbeMs, double probeCostPercent, double stepGflops, double multPeakGflops,
                         double allocatedBytesPerStep, int timedSteps) {
    }

    private static final int INPUT = 784;
    private static final int CLASSES = 10;

    private TrainerBench() {
    }

    /** @param backend where the products are computed (see {@link MatrixOps}) */
    public static Result run(Config c, int warmupSteps, int timedSteps, MatrixOps.Backend backend) {
        MatrixOps.Backend before = MatrixOps.backend();
        MatrixOps.setBackend(backend);
        try {
            return measure(c, warmupSteps, timedSteps, backend);
        } finally {
            MatrixOps.setBackend(before);
        }
    }

    /** The BLAS implementation class the backend uses, or "-" for the EJML backends. */
    public static String blasImplementation(MatrixOps.Backend backend) {
        dev.ludovic.netlib.blas.BLAS blas = MatrixOps.blas(backend);
        return blas == null ? "-" : blas.getClass().getSimpleName();
    }

    private static Result measure(Config c, int warmupSteps, int timedSteps, MatrixOps.Backend backend) {
        Net net = new Net(c);
        for (int i = 0; i < warmupSteps; i++) {
            net.step(false);
            net.step(true);
        }
        // interleave blocks with and without the probe so drift of the machine hits both alike
        int block = 10;
        double[] plain = new double[timedSteps];
        double[] probed = new double[timedSteps];
        int np = 0;
        int nq = 0;
        while (np < timedSteps || nq < timedSteps) {
            for (int i = 0; i < block && np < timedSteps; i++) plain[np++] = net.timedStep(false);
            for (int i = 0; i < block && nq < timedSteps; i++) probed[nq++] = net.timedStep(true);
        }
        double stepMs = median(plain) / 1e6;
        double probeMs = median(probed) / 1e6;
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocBefore = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20; i++) net.step(true);
        // the calling thread only: with concurrent ops the pool's threads allocate too (native BLAS threads allocate no Java heap)
        double allocPerStep = (mx.getCurrentThreadAllocatedBytes() - allocBefore) / 20.0;
        double gflops = net.flopsPerStep() / (stepMs * 1e6);
        return new Result(c.name(), backend.id(), blasImplementation(backend), net.parameters(), stepMs, probeMs,
                100 * (probeMs - stepMs) / stepMs, gflops, multPeak(c), allocPerStep, timedSteps);
    }

    /** GFLOP/s of the current backend's multiply alone for the step's dominant product (batch × width · width × width). */
    static double multPeak(Config c) {
        SplittableRandom rng = new SplittableRandom(1);
        DMatrixRMaj A = random(c.batch(), c.width(), rng);
        DMatrixRMaj B = random(c.width(), c.width(), rng);
        DMatrixRMaj C = new DMatrixRMaj(c.batch(), c.width());
        double flops = 2.0 * c.batch() * c.width() * c.width();
        int reps = (int) Math.max(5, 2e8 / flops);
        double[] t = new double[15];
        for (int w = 0; w < 3; w++) for (int i = 0; i < reps; i++) MatrixOps.mult(A, B, C);
        for (int k = 0; k < t.length; k++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) MatrixOps.mult(A, B, C);
            t[k] = (System.nanoTime() - t0) / (double) reps;
        }
        return flops / median(t);
    }

    private static DMatrixRMaj random(int rows, int cols, SplittableRandom rng) {
        DMatrixRMaj M = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < M.data.length; i++) M.data[i] = rng.nextDouble() - 0.5;
        return M;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** The network, its data and its optimizer, preallocated; also the state of {@link TrainerStepBenchmark}. */
    public static final class Net {
        final Sequential model;
        final List<Parameter> params;
        final SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        final Sgd sgd;
        final GradientProbe probe;
        final DMatrixRMaj X;
        final DMatrixRMaj T;
        final List<int[]> shapes = new ArrayList<>();

        public Net(Config c) {
            SplittableRandom rng = new SplittableRandom(42);
            List<Layer> layers = new ArrayList<>();
            int in = INPUT;
            for (int i = 0; i < c.depth(); i++) {
                boolean last = i == c.depth() - 1;
                int out = last ? CLASSES : c.width();
                layers.add(new Dense("dense" + i, in, out, last ? Activation.LINEAR : Activation.RELU,
                        Init.parse("he-normal"), rng));
                shapes.add(new int[]{c.batch(), in, out});
                in = out;
            }
            model = new Sequential("bench-" + c.name(), layers);
            model.setInputGradientNeeded(false);
            params = model.parameters();
            sgd = new Sgd(params, 0.01, 0.9);
            probe = new GradientProbe(model);
            X = random(c.batch(), INPUT, rng);
            T = new DMatrixRMaj(c.batch(), CLASSES);
            for (int r = 0; r < c.batch(); r++) T.set(r, rng.nextInt(CLASSES), 1.0);
        }

        /** One training step: forward, loss, backward, [probe of the gradients,] SGD update[, probe of the update]. */
        public void step(boolean withProbe) {
            model.zeroGrad();
            loss.forward(model.forward(X), T);
            model.backward(loss.backward());
            if (withProbe) probe.measureGradients();
            sgd.step();
            if (withProbe) probe.measureUpdates(true);
        }

        double timedStep(boolean withProbe) {
            long t0 = System.nanoTime();
            step(withProbe);
            return System.nanoTime() - t0;
        }

        /** Forward Z = X·W, backward dW = Xᵀ·dZ and dX = dZ·Wᵀ (none for the first layer): 2·b·in·out each. */
        double flopsPerStep() {
            double f = 0;
            for (int i = 0; i < shapes.size(); i++) {
                int[] s = shapes.get(i);
                double one = 2.0 * s[0] * s[1] * s[2];
                f += one * (i == 0 ? 2 : 3);
            }
            return f;
        }

        long parameters() {
            return model.parameterCount();
        }
    }
}
