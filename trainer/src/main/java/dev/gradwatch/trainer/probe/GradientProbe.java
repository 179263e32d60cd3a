package dev.gradwatch.trainer.probe;

import dev.gradwatch.events.GradHistogram;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.trainer.engine.ActivationOutput;
import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Norms;
import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.engine.TimeStepGradients;
import org.ejml.data.DMatrixRMaj;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Per-layer gradient statistics of one training step, measured into preallocated arrays by passes
 * over each layer's gradient buffers that two threads can share, none with a branch in its loop:
 * one counts (the |g| histogram by exponent bits, the largest |g| and the zeros, all in integer
 * arithmetic on the raw bits), one sums Σg and Σ|g|, and Σg² comes from the pass that gives the
 * global norm the step takes anyway ({@link #globalGradL2()}), so the probe adds no pass of its own
 * to the training thread; sums run in independent chains so the additions do not wait on each
 * other. ‖w‖ before the update comes from the optimizer, which reads every weight anyway; the probe
 * reads the weights itself only where no optimizer recorded it (see {@link #measureUpdates(boolean)}).
 * A layer with a NaN or infinite gradient is measured again by a branching pass that splits the
 * NaN / ±∞ counts and sums the finite entries only.
 *
 * <p>Call {@link #measureGradients()} after backward and before clipping, so the statistics
 * describe the raw gradient the network produced; then {@link #measureUpdates(boolean)} after the
 * optimizer. A probe made by {@link #overlapping} counts and sums on a helper thread while the
 * training thread goes on: {@link #beginMeasureGradients()} after backward, {@link #globalGradL2()}
 * for the norm, then anything else that only reads the gradients (the optimizer), and
 * {@link #awaitGradients()} (which takes on this thread whatever the helper has not) before
 * anything that changes them (clipping) or the next forward pass.
 * The layers measured are the parameterised leaves of the model, input side first; containers
 * such as {@code Sequential} are looked through.
 */
public final class GradientProbe {

    private final Layer[] layers;
    private final String[] names;
    private final String[] kinds;
    private final long[] paramCounts;

    private final double[] gradL2;
    private final double[] gradMeanAbs;
    private final double[] gradMaxAbs;
    private final long[] nonFiniteCount;
    private final long[] nanCount;
    private final long[] posInfCount;
    private final long[] negInfCount;
    private final double[] gradStd;
    private final double[] zeroFraction;
    private final double[] weightL2;
    /**
     * ‖w‖ before the update comes from the optimizer, which reads every weight as it updates it
     * ({@link Parameter#recordUpdate(double, double)}), when the layer's parameters were last
     * updated by one that records it: {@link #measureGradients()} then leaves {@code weightL2}
     * pending and notes each parameter's {@link Parameter#updateCount()}, and
     * {@link #resolveWeightNorm} fills it in from the next update, or, if none came, from the
     * weights, which are then still the ones measured.
     */
    private final boolean[] weightNormPending;
    private final Parameter[][] layerParams;
    private final long[][] updatesAtMeasurement;
    private final double[] updateRatio;
    /** Counts of finite |g| over {@link GradHistogram}'s fixed buckets, per layer. */
    private final long[][] histogram;
    /**
     * Activation statistics of layers that expose their forward ({@link ActivationOutput}): mean and
     * deviation once {@code activationMeasured}, the saturated / dead fractions NaN when not counted.
     */
    private final double[] activationMean;
    private final double[] activationStd;
    private final double[] saturatedFraction;
    private final double[] deadFraction;
    private final boolean[] activationMeasured;
    /**
     * What {@link #measureActivations} counts per layer, fixed by the layer's activation and so
     * resolved once here rather than by comparing its name every step: dead units for ReLU, and
     * for sigmoid / tanh the |z| beyond which a unit is saturated (NaN: neither).
     */
    private final boolean[] countsDeadUnits;
    private final double[] saturationZ;
    /** Per-time-step ‖∂L/∂h_t‖ of recurrent layers ({@link TimeStepGradients}), null for the others. */
    private final double[][] timeStepNorms;
    private long totalNonFinite;
    private long generation;
    /** The helper thread's turn at {@link #claimLayers}; null: the caller measures every layer. */
    private final BackgroundPass helper;
    private final Scratch callerScratch = new Scratch();
    /** The next layer to count, and to sum: the caller and the helper take their work from here. */
    private final AtomicInteger nextLayer = new AtomicInteger(Integer.MAX_VALUE);
    private final AtomicInteger nextSumLayer = new AtomicInteger(Integer.MAX_VALUE);
    private final AtomicInteger itemsDone = new AtomicInteger();
    /** The first thing a layer's measurement threw, rethrown to the caller. */
    private volatile Throwable failure;
    /** Time the helper spent on layers of the current measurement; written by the helper only. */
    private volatile long helperNanos;
    /** Begun and not yet awaited; the caller's thread only. */
    private boolean measuring;
    /**
     * Σg, Σg² and Σ|g| per layer over all entries: Σg² on the training thread ({@link #takeSums}),
     * in the pass that gives the global norm the step needs anyway; Σg and Σ|g| by whichever thread
     * takes them.
     */
    private final double[] sumG;
    private final double[] sumG2;
    private final double[] sumAbsG;
    /** The same over the finite entries, from the helper's {@code slowPass} of a layer with a NaN or ±∞. */
    private final double[] finiteSum;
    private final double[] finiteSumSq;
    private final double[] finiteSumAbs;
    /** The parameters of all layers, in order: what {@link #globalGradL2()} takes the norm of. */
    private final List<Parameter> allParams;
    private boolean sumsTaken;
    private double globalL2;

    /** Probes the parameterised leaf layers of {@code model}, measuring on the caller's thread. */
    public GradientProbe(Layer model) {
        this(model, false, 0);
    }

    /**
     * A probe that measures on a helper thread between {@link #beginMeasureGradients()} and
     * {@link #awaitGradients()} when this JVM has more than one processor (else on the caller's
     * thread), so that the measurement overlaps the optimizer's pass instead of adding to the step.
     */
    public static GradientProbe overlapping(Layer model) {
        return new GradientProbe(model, Runtime.getRuntime().availableProcessors() > 1, BackgroundPass.IDLE_EXIT_NANOS);
    }

    /** A probe with a helper thread whatever the processor count, which ends after {@code idleExitNanos} without work. */
    static GradientProbe withHelper(Layer model, long idleExitNanos) {
        return new GradientProbe(model, true, idleExitNanos);
    }

    private GradientProbe(Layer model, boolean inBackground, long idleExitNanos) {
        Scratch helperScratch = inBackground ? new Scratch() : null;
        this.helper = inBackground ? new BackgroundPass("gradient-probe-" + model.name(), idleExitNanos,
                () -> claimLayers(helperScratch, true)) : null;
        List<Layer> leaves = Layer.parameterisedLeaves(model);
        int n = leaves.size();
        this.layers = leaves.toArray(new Layer[0]);
        this.names = new String[n];
        this.kinds = new String[n];
        this.paramCounts = new long[n];
        for (int i = 0; i < n; i++) {
            names[i] = layers[i].name();
            kinds[i] = layers[i].kind();
            paramCounts[i] = layers[i].parameterCount();
        }
        this.gradL2 = new double[n];
        this.gradMeanAbs = new double[n];
        this.gradMaxAbs = new double[n];
        this.nonFiniteCount = new long[n];
        this.nanCount = new long[n];
        this.posInfCount = new long[n];
        this.negInfCount = new long[n];
        this.gradStd = new double[n];
        this.zeroFraction = new double[n];
        this.weightL2 = new double[n];
        this.weightNormPending = new boolean[n];
        this.layerParams = new Parameter[n][];
        this.updatesAtMeasurement = new long[n][];
        for (int i = 0; i < n; i++) {
            layerParams[i] = layers[i].parameters().toArray(new Parameter[0]);
            updatesAtMeasurement[i] = new long[layerParams[i].length];
        }
        this.updateRatio = new double[n];
        this.sumG = new double[n];
        this.sumG2 = new double[n];
        this.sumAbsG = new double[n];
        this.finiteSum = new double[n];
        this.finiteSumSq = new double[n];
        this.finiteSumAbs = new double[n];
        List<Parameter> all = new ArrayList<>();
        for (Parameter[] ps : layerParams) all.addAll(Arrays.asList(ps));
        this.allParams = List.copyOf(all);
        this.timeStepNorms = new double[n][];
        this.histogram = new long[n][GradHistogram.BUCKETS];
        this.activationMean = new double[n];
        this.activationStd = new double[n];
        this.saturatedFraction = new double[n];
        this.deadFraction = new double[n];
        this.activationMeasured = new boolean[n];
        this.countsDeadUnits = new boolean[n];
        this.saturationZ = new double[n];
        for (int i = 0; i < n; i++) {
            String f = layers[i] instanceof ActivationOutput out ? out.activationName() : null;
            countsDeadUnits[i] = "relu".equals(f);
            saturationZ[i] = "sigmoid".equals(f) ? SIGMOID_SATURATION_Z : "tanh".equals(f) ? TANH_SATURATION_Z : Double.NaN;
        }
        Arrays.fill(saturatedFraction, Double.NaN);
        Arrays.fill(deadFraction, Double.NaN);
    }


    /**
     * Gradient L2, mean and max |g| and standard deviation over finite entries, NaN / +Inf / −Inf
     * counts, zero fraction, and the weight L2 before the update, for every layer. Resets the
     * update ratios to 0. The weight L2 of layers last updated by an optimizer that records Σw²
     * is taken from its next update, when it reads the weights anyway, or from the weights if
     * none comes before the figures are read.
     */
    public void measureGradients() {
        beginMeasureGradients();
        awaitGradients();
    }

    /**
     * Starts {@link #measureGradients()}: an {@link #overlapping} probe's helper thread takes the
     * layers one by one from the first while the caller goes on, and {@link #awaitGradients()} takes
     * the rest on the caller's thread; without a helper, measures here and now. Until
     * {@link #awaitGradients()} returns, the gradients, the layers' forward outputs and the recurrent
     * layers' time-step norms must not change (the weights may: ‖w‖ before the update is settled
     * here); everything that reads the probe's figures awaits them first.
     */
    public void beginMeasureGradients() {
        awaitGradients();
        prepare();
        measuring = true;
        if (helper == null) claimLayers(callerScratch, false);
        else helper.start();
    }

    /**
     * Waits for the measurement begun by {@link #beginMeasureGradients()}, measuring the layers the
     * helper has not taken yet on this thread; returns at once if none is running.
     */
    public void awaitGradients() {
        if (!measuring) return;
        measuring = false;
        if (!sumsTaken) takeSums();
        claimLayers(callerScratch, false);
        awaitItems();
        for (int l = 0; l < layers.length; l++) finish(l);
    }

    /**
     * ‖g‖₂ over the gradients of every probed layer, the global norm clipping by norm uses, equal
     * to the bit to {@link Norms#globalGradL2} over the same parameters (NaN when an entry is NaN,
     * +Inf when one is infinite). Taken on the calling thread, in the one pass that also keeps each
     * layer's Σg² for the probe, while the helper thread counts and sums: call it between
     * {@link #beginMeasureGradients()} and {@link #awaitGradients()} instead of a pass of one's own.
     */
    public double globalGradL2() {
        if (!sumsTaken) {
            if (!measuring) throw new IllegalStateException("no measurement begun: call beginMeasureGradients() first");
            takeSums();
        }
        return globalL2;
    }

    /**
     * The training thread's share: Σg² of each parameter ({@link Norms#sumOfSquares}), per layer,
     * and their sum over the parameters in order, so the global norm is the one
     * {@link Norms#globalGradL2} gives.
     */
    private void takeSums() {
        sumsTaken = true;
        double global = 0;
        for (int l = 0; l < layers.length; l++) {
            double sumSq = 0;
            for (Parameter param : layerParams[l]) {
                double paramSumSq = Norms.sumOfSquares(param.grad().data, param.size());
                global += paramSumSq;
                sumSq += paramSumSq;
            }
            sumG2[l] = sumSq;
        }
        globalL2 = plainSumUsable(global) ? Math.sqrt(global) : Norms.globalGradL2(allParams);
    }

    /** Joins layer {@code l}'s sums and the helper's figures into its norm, mean |g|, max |g| and deviation. */
    private void finish(int l) {
        List<Parameter> ps = layers[l].parameters();
        long nan = nanCount[l];
        long nonFinite = nonFiniteCount[l];
        // a layer with a NaN or ±∞ was summed over its finite entries by the counting thread's slowPass
        boolean slow = nonFinite > 0;
        double sum = slow ? finiteSum[l] : sumG[l];
        double sumSq = slow ? finiteSumSq[l] : sumG2[l];
        double sumAbs = slow ? finiteSumAbs[l] : sumAbsG[l];
        double maxAbs = gradMaxAbs[l];
        long finite = paramCounts[l] - nonFinite;
        boolean plainSumsUsable = plainSumUsable(sumSq);
        if (nonFinite > 0) {
            gradL2[l] = nan > 0 ? Double.NaN : Double.POSITIVE_INFINITY;
        } else if (plainSumsUsable) {
            gradL2[l] = Math.sqrt(sumSq);
        } else {
            gradL2[l] = scaledL2(ps, true, maxAbs);
        }
        gradMeanAbs[l] = finite == 0 ? Double.NaN
                : Double.isFinite(sumAbs) ? sumAbs / finite : scaledMeanAbs(ps, finite);
        gradMaxAbs[l] = finite == 0 ? Double.NaN : maxAbs;
        gradStd[l] = finite == 0 ? Double.NaN
                : plainSumsUsable ? std(sum / finite, sumSq / finite)
                : maxAbs == 0 ? 0 : maxAbs * scaledStd(ps, finite, maxAbs);
    }

    /** Whether this probe has a helper thread. */
    public boolean measuresInBackground() {
        return helper != null;
    }

    /** Nanoseconds the helper thread spent on the last measurement (CPU time of another core), 0 without one. */
    public long lastBackgroundNanos() {
        return helper == null ? 0 : helperNanos;
    }

    /**
     * What must be read before the training thread goes on (it may update the weights next): per
     * layer, whether ‖w‖ will come from the optimizer, and the parameters' update counts, or else
     * ‖w‖ from the weights now. Then opens the layers to be measured.
     */
    private void prepare() {
        generation++;
        for (int l = 0; l < layers.length; l++) {
            weightNormPending[l] = optimizerRecordsWeightNorm(l);
            if (weightNormPending[l]) {
                for (int j = 0; j < layerParams[l].length; j++) updatesAtMeasurement[l][j] = layerParams[l][j].updateCount();
            } else {
                weightL2[l] = weightL2Now(layers[l].parameters());
            }
            updateRatio[l] = 0;
        }
        helperNanos = 0;
        failure = null;
        sumsTaken = false;
        itemsDone.set(0);
        nextSumLayer.set(0);
        nextLayer.set(0);
    }

    /**
     * Takes work not yet taken until none is left, on the training thread and on the helper at
     * once: first each layer's counting pass, then each layer's Σg and Σ|g| (which the helper takes
     * when it is done counting before the training thread is done with the update).
     */
    private void claimLayers(Scratch scratch, boolean onHelper) {
        int l;
        while ((l = nextLayer.getAndIncrement()) < layers.length) runItem(scratch, l, false, onHelper);
        while ((l = nextSumLayer.getAndIncrement()) < layers.length) runItem(scratch, l, true, onHelper);
    }

    private void runItem(Scratch scratch, int l, boolean sums, boolean onHelper) {
        long t0 = onHelper ? System.nanoTime() : 0;
        try {
            if (sums) scratch.sumLayer(l);
            else scratch.measureLayer(l);
        } catch (Throwable t) {
            if (failure == null) failure = t;
        } finally {
            if (onHelper) helperNanos += System.nanoTime() - t0;
            itemsDone.incrementAndGet();
        }
    }

    /** Waits until every item is done: at most the one the helper is on. */
    private void awaitItems() {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (itemsDone.get() < 2 * layers.length) {
            if (System.nanoTime() < spinUntil) Thread.onSpinWait();
            else LockSupport.parkNanos(PARK_NANOS);
        }
        long nonFinite = 0;
        for (int l = 0; l < layers.length; l++) nonFinite += nonFiniteCount[l];
        totalNonFinite = nonFinite;
        Throwable t = failure;
        if (t != null) {
            failure = null;
            if (t instanceof Error e) throw e;
            if (t instanceof RuntimeException e) throw e;
            throw new IllegalStateException("measuring the gradients failed", t);
        }
    }

    /** Spinning while the helper finishes its last layer is cheaper than a park and an unpark ... */
    private static final long SPIN_NANOS = 200_000;
    /** ... unless the helper is not running, as on a loaded machine. */
    private static final long PARK_NANOS = 20_000;

    /** Independent accumulators of the fast pass: four chains of additions (and of exponent counts) instead of one. */
    private static final int LANES = 4;
    /**
     * One lane's counts by the 11 exponent bits of |g| (2047: NaN and ±∞), padded so that the same
     * exponent in two lanes is not a multiple of 4 KiB apart, where the processor would take the
     * second lane's count to depend on the first's store.
     */
    private static final int LANE_STRIDE = 2048 + 16;
    private static final int NON_FINITE_EXPONENT = 2047;
    /** Biased exponent of the histogram's bucket 1 (2^MIN_EXPONENT); the buckets up to the last one are one exponent each. */
    private static final int FIRST_BUCKET_EXPONENT = 1023 + GradHistogram.MIN_EXPONENT;
    private static final int LAST_BUCKET = GradHistogram.BUCKETS - 1;
    private static final long ABS_MASK = 0x7FFF_FFFF_FFFF_FFFFL;

    /**
     * Whether every parameter of layer {@code l} was last updated by an optimizer that recorded Σw²
     * before the update, in the range where the plain sum is exact enough (else the probe's own pass
     * scales it): then that optimizer will most likely record it again.
     */
    private boolean optimizerRecordsWeightNorm(int l) {
        for (Parameter p : layerParams[l]) {
            if (!p.valueNormRecorded() || !plainSumUsable(p.valueSquaredNormBeforeLastUpdate())) return false;
        }
        return true;
    }

    /**
     * ‖w‖ of a pending layer: Σw² of the parameters an optimizer updated since the measurement as it
     * recorded them, of the others read from their values, unchanged since. Two cases cannot be
     * exact, the weights before the update being gone: an optimizer that records no Σw² updated the
     * layer right after one that did (its parameters are read after the update), and recorded sums
     * that over- or underflowed (‖w‖ beyond about 1.3e154 or under 3.5e-136 right after a step
     * within range: the plain root is kept). Either way the next measurement reads the weights itself.
     */
    private void resolveWeightNorm(int l) {
        weightNormPending[l] = false;
        Parameter[] ps = layerParams[l];
        boolean updated = false;
        for (int j = 0; j < ps.length; j++) updated |= ps[j].updateCount() != updatesAtMeasurement[l][j];
        if (!updated) {
            weightL2[l] = weightL2Now(layers[l].parameters());
            return;
        }
        double s = 0;
        for (int j = 0; j < ps.length; j++) {
            Parameter p = ps[j];
            boolean fromOptimizer = p.updateCount() != updatesAtMeasurement[l][j] && p.valueNormRecorded();
            s += fromOptimizer ? p.valueSquaredNormBeforeLastUpdate() : Norms.sumOfSquares(p.value().data, p.size());
        }
        weightL2[l] = Math.sqrt(s);
    }

    /** A plain Σx² that is neither over- nor underflowed (a 0 may be tiny entries whose squares underflowed). */
    private static boolean plainSumUsable(double sumOfSquares) {
        return Double.isFinite(sumOfSquares) && sumOfSquares >= Norms.SAFE_MIN_SUM;
    }

    /** ‖w‖ over the layer's current weights. */
    private static double weightL2Now(List<Parameter> ps) {
        double s = weightSumOfSquares(ps);
        return plainSumUsable(s) ? Math.sqrt(s) : scaledL2(ps, false, -1);
    }

    /** Σw² over the layer's weights, plainly summed. */
    private static double weightSumOfSquares(List<Parameter> ps) {
        double s = 0;
        for (int p = 0; p < ps.size(); p++) s += Norms.sumOfSquares(ps.get(p).value().data, ps.get(p).size());
        return s;
    }

    /**
     * The working memory of one thread measuring layers: the training thread and the helper each
     * have one, and write the figures of the layers they take into the probe's arrays.
     */
    private final class Scratch {

        /**
         * Counts of the layer being measured by exponent, lane after lane. Counting the raw exponent
         * needs no lookup per entry; {@link #foldHistogram} maps the counts to buckets once per layer
         * and clears them.
         */
        private final int[] exponentCounts = new int[LANES * LANE_STRIDE];
        // the sums of the layer being measured, left by fastPass or slowPass
        private double pSum, pSumSq, pSumAbs, pMaxAbs;
        private long pNan, pPosInf, pNegInf, pZeros;

        /** Per-unit counts for the dead and saturated units; grows to the widest layer once. */
        private int[] unitCounts = new int[0];

        /** Σg and Σ|g| of layer {@code l}, in four independent chains each. */
        void sumLayer(int l) {
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            for (Parameter param : layerParams[l]) {
                double[] g = param.grad().data;
                int n = param.size();
                int n4 = n & ~3;
                for (int i = 0; i < n4; i += 4) {
                    double x0 = g[i], x1 = g[i + 1], x2 = g[i + 2], x3 = g[i + 3];
                    s0 += x0;
                    s1 += x1;
                    s2 += x2;
                    s3 += x3;
                    a0 += Math.abs(x0);
                    a1 += Math.abs(x1);
                    a2 += Math.abs(x2);
                    a3 += Math.abs(x3);
                }
                for (int i = n4; i < n; i++) {
                    s0 += g[i];
                    a0 += Math.abs(g[i]);
                }
            }
            sumG[l] = (s0 + s1) + (s2 + s3);
            sumAbsG[l] = (a0 + a1) + (a2 + a3);
        }

        /** Layer {@code l}'s counting pass: all but its sums, which {@link #finish} joins. */
        void measureLayer(int l) {
            List<Parameter> ps = layers[l].parameters();
            boolean finite = fastPass(ps);
            if (!finite) slowPass(ps);
            foldHistogram(histogram[l], paramCounts[l] - pNan - pPosInf - pNegInf, pMaxAbs);
            if (!finite) {
                finiteSum[l] = pSum;
                finiteSumSq[l] = pSumSq;
                finiteSumAbs[l] = pSumAbs;
            }
            gradMaxAbs[l] = pMaxAbs;
            nanCount[l] = pNan;
            posInfCount[l] = pPosInf;
            negInfCount[l] = pNegInf;
            nonFiniteCount[l] = pNan + pPosInf + pNegInf;
            zeroFraction[l] = (double) pZeros / paramCounts[l];
            if (layers[l] instanceof TimeStepGradients recurrent) copyTimeStepNorms(l, recurrent.timeStepGradNorms());
            if (layers[l] instanceof ActivationOutput out) measureActivations(l, out);
        }

        /**
         * The helper's share of a layer: one pass over its gradients with no branch and no
         * floating-point arithmetic, taking |g| as raw bits: the exponents counted into four lanes,
         * the largest |g| (for non-negative doubles the bits order like the values) and the zeros
         * (|g| is zero exactly when its bits are 0, so (bits − 1) >>> 63 counts them). The sums are
         * {@link #sumLayer}'s and {@link #takeSums}'s. Returns false, leaving the figures to
         * {@link #slowPass}, when an entry is NaN or infinite.
         */
        private boolean fastPass(List<Parameter> ps) {
            int[] counts = exponentCounts;
            long m0 = 0, m1 = 0, m2 = 0, m3 = 0;
            long zeros = 0;
            for (int p = 0; p < ps.size(); p++) {
                Parameter param = ps.get(p);
                double[] g = param.grad().data;
                int n = param.size();
                int n4 = n & ~3;
                for (int i = 0; i < n4; i += 4) {
                    long b0 = Double.doubleToRawLongBits(g[i]) & ABS_MASK;
                    long b1 = Double.doubleToRawLongBits(g[i + 1]) & ABS_MASK;
                    long b2 = Double.doubleToRawLongBits(g[i + 2]) & ABS_MASK;
                    long b3 = Double.doubleToRawLongBits(g[i + 3]) & ABS_MASK;
                    counts[(int) (b0 >>> 52)]++;
                    counts[LANE_STRIDE + (int) (b1 >>> 52)]++;
                    counts[2 * LANE_STRIDE + (int) (b2 >>> 52)]++;
                    counts[3 * LANE_STRIDE + (int) (b3 >>> 52)]++;
                    m0 = Math.max(m0, b0);
                    m1 = Math.max(m1, b1);
                    m2 = Math.max(m2, b2);
                    m3 = Math.max(m3, b3);
                    zeros += ((b0 - 1) >>> 63) + ((b1 - 1) >>> 63) + ((b2 - 1) >>> 63) + ((b3 - 1) >>> 63);
                }
                for (int i = n4; i < n; i++) {
                    long b = Double.doubleToRawLongBits(g[i]) & ABS_MASK;
                    counts[(int) (b >>> 52)]++;
                    m0 = Math.max(m0, b);
                    zeros += (b - 1) >>> 63;
                }
            }
            long maxBits = Math.max(Math.max(m0, m1), Math.max(m2, m3));
            if ((int) (maxBits >>> 52) == NON_FINITE_EXPONENT) {
                Arrays.fill(counts, 0);
                return false;
            }
            pMaxAbs = Double.longBitsToDouble(maxBits);
            pNan = 0;
            pPosInf = 0;
            pNegInf = 0;
            pZeros = zeros;
            return true;
        }

        /** The figures of a layer with NaN or infinite gradients: sums over the finite entries and the NaN / ±∞ split. */
        private void slowPass(List<Parameter> ps) {
            int[] counts = exponentCounts;
            double sum = 0, sumSq = 0, sumAbs = 0, maxAbs = 0;
            long nan = 0, posInf = 0, negInf = 0, zeros = 0;
            for (int p = 0; p < ps.size(); p++) {
                Parameter param = ps.get(p);
                double[] g = param.grad().data;
                for (int i = 0, n = param.size(); i < n; i++) {
                    double x = g[i];
                    if (x - x == 0) { // finite: ∞ − ∞ and NaN − NaN are NaN
                        double a = Math.abs(x);
                        sum += x;
                        sumSq += x * x;
                        sumAbs += a;
                        if (a > maxAbs) maxAbs = a;
                        if (x == 0) zeros++;
                        counts[(int) ((Double.doubleToRawLongBits(x) & ABS_MASK) >>> 52)]++;
                    } else if (x != x) {
                        nan++;
                    } else if (x > 0) {
                        posInf++;
                    } else {
                        negInf++;
                    }
                }
            }
            pSum = sum;
            pSumSq = sumSq;
            pSumAbs = sumAbs;
            pMaxAbs = maxAbs;
            pNan = nan;
            pPosInf = posInf;
            pNegInf = negInf;
            pZeros = zeros;
        }

        /**
         * Folds the exponent counts of {@code finite} finite entries with largest |g| {@code maxAbs}
         * into the histogram's buckets and clears them for the next layer. Nothing above the
         * exponent of {@code maxAbs} was counted, and bucket 0 is what the other buckets leave.
         */
        private void foldHistogram(long[] hist, long finite, double maxAbs) {
            int[] counts = exponentCounts;
            int top = Math.getExponent(maxAbs) + 1023; // 0 for zero and subnormals, as in the counts
            Arrays.fill(hist, 0);
            long counted = 0;
            for (int e = FIRST_BUCKET_EXPONENT; e <= top; e++) {
                long c = 0;
                for (int lane = 0; lane < LANES; lane++) c += counts[lane * LANE_STRIDE + e];
                hist[Math.min(e - FIRST_BUCKET_EXPONENT + 1, LAST_BUCKET)] += c;
                counted += c;
            }
            hist[0] = finite - counted;
            for (int lane = 0; lane < LANES; lane++) Arrays.fill(counts, lane * LANE_STRIDE, lane * LANE_STRIDE + top + 1, 0);
        }

        /**
         * Mean and standard deviation of the layer's outputs over the batch, and per unit (column):
         * saturated when its sigmoid/tanh input sits, for at least {@link #INACTIVE_SHARE} of the batch,
         * where the derivative is under {@link #TINY_DERIVATIVE}; dead when its ReLU input is ≤ 0 for
         * every example of the batch (SageMaker Debugger's DeadRelu and SaturatedActivation rules).
         */
        private void measureActivations(int l, ActivationOutput out) {
            DMatrixRMaj Z = out.preActivation();
            DMatrixRMaj A = out.output();
            int rows = A.numRows;
            int cols = A.numCols;
            if (rows == 0 || cols == 0) return;
            double[] a = A.data;
            double s0 = 0, s1 = 0, q0 = 0, q1 = 0;
            int total = rows * cols;
            int even = total & ~1;
            for (int i = 0; i < even; i += 2) {
                double v0 = a[i], v1 = a[i + 1];
                s0 += v0;
                s1 += v1;
                q0 += v0 * v0;
                q1 += v1 * v1;
            }
            if (even < total) {
                s0 += a[even];
                q0 += a[even] * a[even];
            }
            double sum = s0 + s1, sumSq = q0 + q1;
            double n = (double) rows * cols;
            activationMeasured[l] = true;
            activationMean[l] = sum / n;
            activationStd[l] = std(sum / n, sumSq / n);
            double zone = saturationZ[l];
            boolean relu = countsDeadUnits[l];
            saturatedFraction[l] = Double.NaN;
            deadFraction[l] = Double.NaN;
            if (!relu && Double.isNaN(zone)) return;
            double[] z = Z.data;
            if (unitCounts.length < cols) unitCounts = new int[cols];
            int[] counts = unitCounts;
            Arrays.fill(counts, 0, cols, 0);
            // row by row, in memory order, counting per unit without a branch
            if (relu) {
                for (int r = 0, k = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++, k++) counts[c] += z[k] <= 0 ? 1 : 0;
                }
            } else {
                for (int r = 0, k = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++, k++) counts[c] += Math.abs(z[k]) > zone ? 1 : 0;
                }
            }
            int flagged = 0;
            long needed = (long) Math.ceil(INACTIVE_SHARE * rows);
            for (int c = 0; c < cols; c++) {
                if (relu ? counts[c] == rows : counts[c] >= needed) flagged++;
            }
            if (relu) deadFraction[l] = (double) flagged / cols;
            else saturatedFraction[l] = (double) flagged / cols;
        }

    }

    /** SageMaker Debugger's threshold: a unit's input is saturated where the derivative is under 1e-7. */
    static final double TINY_DERIVATIVE = 1e-7;
    /** Share of the batch for which a unit must be saturated to count (SageMaker: inactive on over 99%). */
    static final double INACTIVE_SHARE = 0.99;
    /** |z| beyond which σ′(z) = σ(1−σ) < TINY_DERIVATIVE: σ = (1 − √(1 − 4d))/2, z = ln(σ/(1 − σ)). */
    static final double SIGMOID_SATURATION_Z;
    /** |z| beyond which tanh′(z) = 1 − tanh² < TINY_DERIVATIVE: z = atanh(√(1 − d)). */
    static final double TANH_SATURATION_Z;

    static {
        double d = TINY_DERIVATIVE;
        double s = (1 - Math.sqrt(1 - 4 * d)) / 2;
        SIGMOID_SATURATION_Z = -Math.log(s / (1 - s));
        double t = Math.sqrt(1 - d);
        TANH_SATURATION_Z = 0.5 * Math.log((1 + t) / (1 - t));
    }

    /**
     * ‖Δw‖/‖w‖ per layer from the update norms the optimizer recorded, with ‖w‖ from before the
     * update; 0 for every layer when {@code applied} is false (the step was skipped).
     */
    public void measureUpdates(boolean applied) {
        awaitGradients();
        for (int l = 0; l < layers.length; l++) {
            if (weightNormPending[l]) resolveWeightNorm(l);
            if (!applied) {
                updateRatio[l] = 0;
                continue;
            }
            List<Parameter> ps = layers[l].parameters();
            double s = 0;
            for (int p = 0; p < ps.size(); p++) s += ps.get(p).lastUpdateSquaredNorm();
            double update = Math.sqrt(s);
            updateRatio[l] = weightL2[l] > 0 ? update / weightL2[l] : (update == 0 ? 0 : Double.POSITIVE_INFINITY);
        }
    }

    /** Non-finite gradient entries over all layers at the last measurement. */
    public long nonFiniteCount() {
        awaitGradients();
        return totalNonFinite;
    }

    public int layerCount() {
        return layers.length;
    }

    /**
     * A fresh record with layer {@code i}'s statistics from the last measurement: the schema-1
     * fields plus the NaN / ±Inf split, the gradient standard deviation and, for recurrent layers,
     * the |g| histogram, the activation statistics of layers that expose their forward (null for the
     * others) and, for recurrent layers, a copy of the per-time-step gradient norms.
     */
    public LayerStats layer(int i) {
        awaitGradients();
        if (weightNormPending[i]) resolveWeightNorm(i);
        return new LayerStats(i, names[i], kinds[i], paramCounts[i], gradL2[i], gradMeanAbs[i], gradMaxAbs[i],
                nonFiniteCount[i], zeroFraction[i], weightL2[i], updateRatio[i],
                nanCount[i], posInfCount[i], negInfCount[i], gradStd[i], histogram[i].clone(),
                activationMeasured[i] ? activationMean[i] : null, activationMeasured[i] ? activationStd[i] : null,
                orNull(saturatedFraction[i]),
                orNull(deadFraction[i]),
                timeStepNorms[i] == null ? null : timeStepNorms[i].clone());
    }

    private static Double orNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    /** Copies a recurrent layer's norms at measurement time; reallocates only when T changed. */
    private void copyTimeStepNorms(int l, double[] norms) {
        if (timeStepNorms[l] == null || timeStepNorms[l].length != norms.length) timeStepNorms[l] = new double[norms.length];
        System.arraycopy(norms, 0, timeStepNorms[l], 0, norms.length);
    }

    /**
     * The statistics of the last measurement as a list that allocates nothing until read: each
     * {@code get} builds a record from the probe's arrays. The list belongs to one measurement;
     * reading it after the next {@link #measureGradients()} throws {@link IllegalStateException}
     * instead of returning another step's numbers, so copy it ({@code List.copyOf}) to keep it.
     */
    public List<LayerStats> stats() {
        awaitGradients();
        return new View(generation);
    }

    /** An immutable copy of the statistics of the last measurement. */
    public List<LayerStats> snapshot() {
        LayerStats[] out = new LayerStats[layers.length];
        for (int i = 0; i < out.length; i++) out[i] = layer(i);
        return List.of(out);
    }

    private final class View extends AbstractList<LayerStats> implements RandomAccess {
        private final long measurement;

        View(long measurement) {
            this.measurement = measurement;
        }

        @Override
        public LayerStats get(int index) {
            if (measurement != generation) {
                throw new IllegalStateException("layer statistics of measurement " + measurement
                        + " read after measurement " + generation + " replaced them; copy them before the next step");
            }
            return layer(index);
        }

        @Override
        public int size() {
            return layers.length;
        }
    }

    /** ‖·‖₂ over the layer's gradients (or weights), scaled by max |x| so squares neither overflow nor underflow. */
    private static double scaledL2(List<Parameter> ps, boolean grads, double knownMaxAbs) {
        double scale = knownMaxAbs;
        if (scale < 0) {
            scale = 0;
            for (int p = 0; p < ps.size(); p++) {
                Parameter param = ps.get(p);
                double[] d = grads ? param.grad().data : param.value().data;
                for (int i = 0, n = param.size(); i < n; i++) {
                    double a = Math.abs(d[i]);
                    if (!(a <= Double.MAX_VALUE)) return a; // NaN or ∞
                    scale = Math.max(scale, a);
                }
            }
        }
        if (scale == 0) return 0;
        double s = 0;
        for (int p = 0; p < ps.size(); p++) {
            Parameter param = ps.get(p);
            double[] d = grads ? param.grad().data : param.value().data;
            for (int i = 0, n = param.size(); i < n; i++) {
                double x = d[i] / scale;
                s += x * x;
            }
        }
        return scale * Math.sqrt(s);
    }

    /** σ = √(E[g²] − E[g]²), never negative from rounding. */
    private static double std(double mean, double meanSquare) {
        return Math.sqrt(Math.max(0, meanSquare - mean * mean));
    }

    /** σ of g/scale over the finite entries, when plain Σg² over- or underflowed. */
    private static double scaledStd(List<Parameter> ps, long finite, double scale) {
        double mean = 0, meanSquare = 0;
        for (int p = 0; p < ps.size(); p++) {
            Parameter param = ps.get(p);
            double[] g = param.grad().data;
            for (int i = 0, n = param.size(); i < n; i++) {
                if (g[i] - g[i] == 0) {
                    double x = g[i] / scale;
                    mean += x / finite;
                    meanSquare += x * x / finite;
                }
            }
        }
        return std(mean, meanSquare);
    }

    /** mean |g| over finite entries when the plain sum overflowed. */
    private static double scaledMeanAbs(List<Parameter> ps, long finite) {
        double mean = 0;
        for (int p = 0; p < ps.size(); p++) {
            Parameter param = ps.get(p);
            double[] g = param.grad().data;
            for (int i = 0, n = param.size(); i < n; i++) {
                if (g[i] - g[i] == 0) mean += Math.abs(g[i]) / finite;
            }
        }
        return mean;
    }
}
