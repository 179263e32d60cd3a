package dev.gradwatch.trainer.bench;

import com.sun.management.ThreadMXBean;
import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.MatrixOps;
import dev.gradwatch.trainer.engine.Norms;
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

    /** How a step is probed. */
    public enum Probe {
        /** Not at all. */
        NONE,
        /** On the probe's helper thread, overlapping the global norm and the optimizer (as the trainers run it). */
        OVERLAPPED,
        /** On the training thread, between backward and the optimizer. */
        INLINE
    }

    /** One network shape. */
    public record Config(String name, int depth, int width, int batch) {
    }

    public static final List<Config> CONFIGS = List.of(
            new Config("d10-w256-b64", 10, 256, 64),
            new Config("d20-w256-b64", 20, 256, 64),
            new Config("d8-w1024-b128", 8, 1024, 128));

    /**
     * Over the timed steps of one configuration: the median step without the probe; with the probe
     * overlapping the rest of the step on its helper thread (as the trainers run it) and with the
     * probe on the training thread (its whole cost in the step), that median plus the median
     * difference to the unprobed step of the same round; the helper's median time per
     * measurement, which is CPU spent on the other core.
     */
    public record Result(String config, String backend, String blasImplementation, long parameters, double stepMs,
                         double stepWithProbeMs, double probeCostPercent, double stepWithInlineProbeMs,
                         double inlineProbeCostPercent, double probeHelperMs, double stepGflops, double multPeakGflops,
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
            for (Probe p : Probe.values()) net.step(p);
        }
        // the three variants step after step, in an order that rotates, and the probe's cost as the
        // median of the differences within a round: on a machine whose speed drifts, neighbouring
        // steps are the fairest comparison
        Probe[] variants = Probe.values();
        double[][] t = new double[variants.length][timedSteps];
        double[] helper = new double[timedSteps];
        for (int i = 0; i < timedSteps; i++) {
            for (int k = 0; k < variants.length; k++) {
                Probe p = variants[(i + k) % variants.length];
                t[p.ordinal()][i] = net.timedStep(p);
                if (p == Probe.OVERLAPPED) helper[i] = net.probe.lastBackgroundNanos();
            }
        }
        double[] plain = t[Probe.NONE.ordinal()];
        double stepMs = median(plain) / 1e6;
        double overlappedExtraMs = median(difference(t[Probe.OVERLAPPED.ordinal()], plain)) / 1e6;
        double inlineExtraMs = median(difference(t[Probe.INLINE.ordinal()], plain)) / 1e6;
        double probeMs = stepMs + overlappedExtraMs;
        double inlineMs = stepMs + inlineExtraMs;
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocBefore = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20; i++) net.step(Probe.OVERLAPPED);
        // the calling thread only: with concurrent ops the pool's threads allocate too (native BLAS threads allocate no Java heap)
        double allocPerStep = (mx.getCurrentThreadAllocatedBytes() - allocBefore) / 20.0;
        double gflops = net.flopsPerStep() / (stepMs * 1e6);
        return new Result(c.name(), backend.id(), blasImplementation(backend), net.parameters(), stepMs, probeMs,
                100 * overlappedExtraMs / stepMs, inlineMs, 100 * inlineExtraMs / stepMs,
                net.probe.measuresInBackground() ? median(helper) / 1e6 : 0, gflops, multPeak(c), allocPerStep, timedSteps);
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

    private static double[] difference(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) d[i] = a[i] - b[i];
        return d;
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
        /** The probe as the trainers run it, overlapping the step on its helper thread (when there is a second processor). */
        final GradientProbe probe;
        /** The same measurement on the training thread. */
        final GradientProbe inlineProbe;
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
            probe = GradientProbe.overlapping(model);
            inlineProbe = new GradientProbe(model);
            X = random(c.batch(), INPUT, rng);
            T = new DMatrixRMaj(c.batch(), CLASSES);
            for (int r = 0; r < c.batch(); r++) T.set(r, rng.nextInt(CLASSES), 1.0);
        }

        /**
         * One training step as the engine takes it: forward, loss, backward, the global gradient
         * norm (the guard that keeps a NaN or infinite gradient from being applied, and what
         * clipping by norm reads), SGD with momentum. With the probe, this thread takes the norm in
         * the pass that also gives the probe each layer's Σg², while the probe's helper thread counts
         * (histogram, largest |g|, zeros), measures the activations and sums Σg and Σ|g|; then this
         * thread applies SGD and takes whatever work the helper has not. Inline, the helper's share
         * runs on this thread too.
         */
        public void step(Probe variant) {
            GradientProbe p = variant == Probe.NONE ? null : variant == Probe.INLINE ? inlineProbe : probe;
            model.zeroGrad();
            loss.forward(model.forward(X), T);
            model.backward(loss.backward());
            if (p != null) p.beginMeasureGradients();
            boolean finite = Double.isFinite(p == null ? Norms.globalGradL2(params) : p.globalGradL2());
            if (finite) sgd.step();
            if (p != null) p.measureUpdates(finite);
        }

        double timedStep(Probe variant) {
            long t0 = System.nanoTime();
            step(variant);
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
