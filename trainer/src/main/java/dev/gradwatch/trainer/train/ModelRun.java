package dev.gradwatch.trainer.train;

import dev.gradwatch.trainer.data.AddingProblem;
import dev.gradwatch.trainer.data.BatchSource;
import dev.gradwatch.trainer.data.CopyTask;
import dev.gradwatch.trainer.data.LabeledImages;
import dev.gradwatch.trainer.data.Parity;
import dev.gradwatch.trainer.data.TeacherTask;
import dev.gradwatch.trainer.data.TwoSpirals;
import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Norms;
import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.model.ModelBuilder;
import dev.gradwatch.trainer.model.ModelFile;
import dev.gradwatch.trainer.nn.Loss;
import dev.gradwatch.trainer.nn.Sequential;
import dev.gradwatch.trainer.nn.TrainingMode;
import dev.gradwatch.trainer.optim.Adam;
import dev.gradwatch.trainer.optim.AdaptiveGradClip;
import dev.gradwatch.trainer.optim.ClipGradNorm;
import dev.gradwatch.trainer.optim.ClipGradValue;
import dev.gradwatch.trainer.optim.ClipPerLayer;
import dev.gradwatch.trainer.optim.LearningRateSchedule;
import dev.gradwatch.trainer.optim.Optimizer;
import dev.gradwatch.trainer.optim.Sgd;
import dev.gradwatch.trainer.probe.GradientProbe;
import org.ejml.data.DMatrixRMaj;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains the model of a {@link ModelFile}: each step sets the scheduled learning rate, draws a
 * batch, runs forward and backward, probes the raw gradients, clips them, and applies them
 * unless a gradient entry or the global norm is not finite (such a step is skipped and counted).
 * The probe measures on its helper thread while this one takes the global norm and applies the
 * update, and this one waits for it before clipping changes a gradient and at the end of the step.
 * {@link #evaluate()} measures test accuracy (classification) or test loss (regression) in
 * evaluation mode.
 *
 * <p>Sequence data sets (adding, copy) give batches of B sequences as (T·B) time-major input
 * rows, the file's {@code batch} being B; the test set is one such block of {@code test-size}
 * sequences, evaluated in chunks of whole sequences.
 *
 * <p>Reproducible: the seed is split, in this order, into the weights' stream, the training
 * batches, the synthetic test set and the dropout masks; the arithmetic of training runs on one
 * thread in a fixed order (the probe's helper only reads), so the same file and seed give
 * bit-identical losses.
 */
public final class ModelRun {

    /** One training step: its index, loss, global gradient norm before clipping, and whether it was skipped. */
    public record Step(long step, double loss, double gradNorm, boolean skipped) {
    }

    /**
     * Test figures: accuracy (the fraction of samples, or of 0/1 outputs for independent binary
     * targets, or for the copy task of (sequence, time step) pairs, predicted right; NaN for
     * regression), the mean loss over the test set and its number of samples (sequences for a
     * sequence data set).
     */
    public record Evaluation(boolean classification, double accuracy, double loss, int samples) {
    }

    /** Called after every step, on the training thread. */
    public interface Listener {
        void onStep(ModelRun run, Step step);
    }

    /** The outcome of {@link #run}. */
    public record Result(long steps, long skipped, double finalLoss, Evaluation test, double seconds) {
    }

    private static final int EVAL_CHUNK = 500;

    private final ModelFile file;
    private final Sequential model;
    private final List<Parameter> params;
    private final Loss loss;
    private final Loss evalLoss;
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final GradientProbe probe;
    private final BatchSource train;
    private final DMatrixRMaj testX;
    private final DMatrixRMaj testT;
    private final long totalSteps;
    private final ClipPerLayer perLayer;
    private final AdaptiveGradClip agc;
    private final DMatrixRMaj X = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj T = new DMatrixRMaj(1, 1);
    private long steps;
    private long skipped;
    // set by the monitor's commands through asTrainable(): a global-norm clip on top of the file's
    // clipping, and a factor on the scheduled learning rate
    private volatile double controlClipNorm = Double.POSITIVE_INFINITY;
    private volatile double learningRateScale = 1.0;

    private ModelRun(ModelFile file) throws IOException {
        this.file = file;
        SplittableRandom root = new SplittableRandom(file.seed());
        SplittableRandom initRng = root.split();
        long trainSeed = root.nextLong();
        long testSeed = root.nextLong();
        long dropoutSeed = root.nextLong();
        this.model = ModelBuilder.build(file, initRng, dropoutSeed);
        model.setInputGradientNeeded(false);
        this.params = model.parameters();
        this.loss = Loss.of(file.loss());
        this.evalLoss = Loss.of(file.loss());

        ModelFile.DataSpec data = file.data();
        if (data.type().equals("fashion-mnist")) {
            LabeledImages trainSet = LabeledImages.fashionMnist(data.path(), true, trainSeed);
            LabeledImages testSet = LabeledImages.fashionMnist(data.path(), false, 0);
            if (data.normalize()) {
                double[] stats = trainSet.pixelMeanAndStd();
                trainSet.standardize(stats[0], stats[1]);
                testSet.standardize(stats[0], stats[1]);
            }
            this.train = trainSet;
            this.testX = new DMatrixRMaj(testSet.size(), testSet.inputDim());
            this.testT = new DMatrixRMaj(testSet.size(), testSet.outputDim());
            int[] y = new int[testSet.size()];
            testSet.slice(0, testSet.size(), testX, y);
            for (int r = 0; r < y.length; r++) testT.unsafe_set(r, y[r], 1);
            this.totalSteps = file.epochs() > 0
                    ? ((long) file.epochs() * trainSet.size() + file.batch() - 1) / file.batch() : file.steps();
        } else {
            this.train = synthetic(file, trainSeed);
            BatchSource test = synthetic(file, testSeed);
            this.testX = new DMatrixRMaj(1, 1);
            this.testT = new DMatrixRMaj(1, 1);
            test.nextBatch(data.testSize(), testX, testT);
            this.totalSteps = file.steps();
        }

        ModelFile.OptimizerSpec o = file.optimizer();
        this.optimizer = switch (o.type()) {
            case "sgd" -> new Sgd(params, o.lr(), o.momentum(), o.nesterov(), o.weightDecay());
            case "adam" -> new Adam(params, o.lr(), o.beta1(), o.beta2(), o.eps(), o.weightDecay(), false);
            default -> new Adam(params, o.lr(), o.beta1(), o.beta2(), o.eps(), o.weightDecay(), true);
        };
        this.schedule = file.schedule().build(totalSteps);
        this.probe = GradientProbe.overlapping(model);
        this.perLayer = file.clip().type().equals("per-layer") ? ClipPerLayer.forLayersOf(model) : null;
        this.agc = file.clip().type().equals("agc") ? new AdaptiveGradClip(withoutLastLayer(model), file.clip().max(),
                file.clip().eps()) : null;
    }

    /** Builds the model and loads its data (Fashion-MNIST is read from its IDX files). */
    public static ModelRun create(ModelFile file) throws IOException {
        return new ModelRun(file);
    }

    private static BatchSource synthetic(ModelFile file, long seed) {
        ModelFile.DataSpec d = file.data();
        return switch (d.type()) {
            case "teacher-regression" -> TeacherTask.regression(file.input(), file.output(), seed);
            case "teacher-classification" -> TeacherTask.classification(file.input(), file.output(), seed);
            case "two-spirals" -> new TwoSpirals(file.output(), d.turns(), d.noise(), seed);
            case "parity" -> new Parity(d.bits(), file.output(), seed);
            case "adding" -> new AddingProblem(d.timeSteps(), seed);
            case "copy" -> new CopyTask(d.symbols(), d.length(), d.delay(), seed);
            default -> throw new IllegalArgumentException("data " + d.type() + " is not synthetic");
        };
    }

    /** AGC leaves the final classifier out, as Brock et al. 2021 advise. */
    private static List<Parameter> withoutLastLayer(Layer model) {
        List<Layer> leaves = Layer.parameterisedLeaves(model);
        List<Parameter> ps = new ArrayList<>();
        for (int i = 0; i < leaves.size() - 1; i++) ps.addAll(leaves.get(i).parameters());
        return ps;
    }


    /** One training step; see the class comment. */
    public Step step() {
        schedule.apply(optimizer, file.optimizer().lr() * learningRateScale, steps);
        double L = forwardBackwardBeginProbe();
        // the guard: NaN if an entry is NaN, +Inf if one is infinite (or the sum overflowed with finite
        // entries, then scaled), taken in the pass that also gives the probe each layer's Σg², whose
        // helper thread counts and sums the same raw gradients meanwhile
        double norm = probe.globalGradL2();
        boolean skip = !Double.isFinite(norm);
        if (!skip) {
            boolean changed = clip(norm);
            if (Double.isFinite(controlClipNorm)) clipToNorm(controlClipNorm, changed ? Norms.globalGradL2(params) : norm);
        }
        if (skip) skipped++;
        else optimizer.step();
        probe.measureUpdates(!skip);
        return new Step(steps++, L, norm, skip);
    }

    /**
     * Forward and backward on the next training batch, and the probe's measurement of the raw
     * gradients; no update. Returns the batch loss.
     */
    public double forwardBackward() {
        double L = forwardBackwardBeginProbe();
        probe.awaitGradients();
        return L;
    }

    /** Forward and backward, then starts the probe's measurement (awaited before the next forward pass). */
    private double forwardBackwardBeginProbe() {
        probe.awaitGradients();
        train.nextBatch(file.batch(), X, T);
        model.zeroGrad();
        DMatrixRMaj Y = model.forward(X);
        double L = loss.forward(Y, T);
        model.backward(loss.backward());
        probe.beginMeasureGradients();
        return L;
    }

    /**
     * Clips as the file says, given the global norm of the raw gradients, and returns whether that
     * changed them; waits for the probe first when it will, as the probe reads them raw.
     */
    private boolean clip(double norm) {
        double max = file.clip().max();
        switch (file.clip().type()) {
            case "norm" -> {
                return clipToNorm(max, norm);
            }
            case "value" -> {
                probe.awaitGradients();
                ClipGradValue.clip(params, max, norm);
            }
            case "per-layer" -> {
                probe.awaitGradients();
                perLayer.clip(max, norm);
            }
            case "agc" -> {
                probe.awaitGradients();
                agc.clip();
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Clips to global norm {@code max} the gradients of norm {@code norm}, after the probe if it scales them; returns whether it did. */
    private boolean clipToNorm(double max, double norm) {
        if (!ClipGradNorm.scales(norm, max)) return false;
        probe.awaitGradients();
        ClipGradNorm.clip(params, max, norm);
        return true;
    }

    /** Trains for the file's steps (or epochs), then evaluates. */
    public Result run(Listener listener) {
        long start = System.nanoTime();
        double last = Double.NaN;
        while (steps < totalSteps) {
            Step s = step();
            last = s.loss();
            if (listener != null) listener.onStep(this, s);
        }
        Evaluation test = evaluate();
        return new Result(steps, skipped, last, test, (System.nanoTime() - start) / 1e9);
    }

    /** Accuracy and loss on the test set, in evaluation mode (dropout off, batch norm on running statistics). */
    public Evaluation evaluate() {
        TrainingMode.setTraining(model, false);
        try {
            ModelFile.DataSpec data = file.data();
            // time-major sequences: X has T blocks of n rows, T has T blocks (copy) or one (adding)
            int xBlocks = data.sequence() ? data.sequenceLength() : 1;
            int tBlocks = data.targetsEveryTimeStep() ? data.sequenceLength() : 1;
            int n = testT.numRows / tBlocks, in = testX.numCols, out = testT.numCols;
            DMatrixRMaj Xc = new DMatrixRMaj(1, 1), Tc = new DMatrixRMaj(1, 1);
            boolean oneHot = out > 1 && !file.data().type().startsWith("teacher");
            double threshold = file.loss().equals("bce") ? 0 : 0.5;
            double lossSum = 0;
            long right = 0, judged = 0;
            for (int from = 0; from < n; from += EVAL_CHUNK) {
                int m = Math.min(EVAL_CHUNK, n - from);
                chunk(testX, xBlocks, n, from, m, Xc);
                chunk(testT, tBlocks, n, from, m, Tc);
                DMatrixRMaj Y = model.forward(Xc);
                lossSum += evalLoss.forward(Y, Tc) * m;
                if (!file.data().classification()) continue;
                for (int r = 0; r < Tc.numRows; r++) {
                    if (oneHot) {
                        right += argmax(Y, r) == argmax(Tc, r) ? 1 : 0;
                        judged++;
                    } else {
                        for (int c = 0; c < out; c++) {
                            boolean predicted = Y.unsafe_get(r, c) > threshold;
                            boolean actual = Tc.unsafe_get(r, c) > 0.5;
                            right += predicted == actual ? 1 : 0;
                            judged++;
                        }
                    }
                }
            }
            boolean cls = file.data().classification();
            return new Evaluation(cls, cls ? (double) right / judged : Double.NaN, lossSum / n, n);
        } finally {
            TrainingMode.setTraining(model, true);
        }
    }

    /**
     * out = samples from … from + m − 1 of a matrix made of {@code blocks} time-major blocks of
     * {@code n} rows each, as {@code blocks} blocks of m rows (one block: plain rows).
     */
    private static void chunk(DMatrixRMaj all, int blocks, int n, int from, int m, DMatrixRMaj out) {
        int cols = all.numCols;
        out.reshape(blocks * m, cols);
        for (int b = 0; b < blocks; b++) {
            System.arraycopy(all.data, (b * n + from) * cols, out.data, b * m * cols, m * cols);
        }
    }

    private static int argmax(DMatrixRMaj M, int row) {
        int best = 0;
        for (int c = 1; c < M.numCols; c++) if (M.unsafe_get(row, c) > M.unsafe_get(row, best)) best = c;
        return best;
    }

    public ModelFile file() {
        return file;
    }

    public Sequential model() {
        return model;
    }

    public GradientProbe probe() {
        return probe;
    }

    /** Steps the run trains for: the file's steps, or its epochs over the training set. */
    public long totalSteps() {
        return totalSteps;
    }

    /** Passes completed over a finite training set (Fashion-MNIST): samples drawn / set size; 0 for the endless synthetic tasks. */
    public long epochsDone() {
        return train instanceof LabeledImages images ? steps * file.batch() / images.size() : 0;
    }

    public long stepCount() {
        return steps;
    }

    /** Steps whose gradient was not finite and so was not applied. */
    public long skippedSteps() {
        return skipped;
    }

    public double learningRate() {
        return optimizer.learningRate();
    }

    /**
     * This run as a {@link Trainable} for a training worker: steps report the probe's statistics,
     * {@code setClipNorm} adds a global-norm clip after the file's own clipping, and
     * {@code scaleLearningRate} scales the scheduled rate from the next step on.
     */
    public Trainable asTrainable() {
        ModelRun run = this;
        return new Trainable() {
            @Override
            public StepResult step() {
                Step s = run.step();
                return new StepResult(s.step(), s.loss(), s.gradNorm(), s.skipped(), run.probe.stats());
            }

            @Override
            public long stepCount() {
                return run.steps;
            }

            @Override
            public long skippedSteps() {
                return run.skipped;
            }

            @Override
            public double clipNorm() {
                return run.controlClipNorm;
            }

            @Override
            public void setClipNorm(double maxNorm) {
                if (!(maxNorm > 0)) throw new IllegalArgumentException("clip norm must be > 0, got " + maxNorm);
                run.controlClipNorm = maxNorm;
            }

            @Override
            public double learningRate() {
                return run.optimizer.learningRate();
            }

            @Override
            public void scaleLearningRate(double factor) {
                if (!(factor > 0 && Double.isFinite(factor))) {
                    throw new IllegalArgumentException("learning-rate factor must be finite and > 0, got " + factor);
                }
                run.learningRateScale *= factor;
            }
        };
    }
}
