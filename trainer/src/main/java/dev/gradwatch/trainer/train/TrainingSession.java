package dev.gradwatch.trainer.train;

import dev.gradwatch.trainer.data.BatchSource;
import dev.gradwatch.trainer.data.TeacherTask;
import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Dense;
import dev.gradwatch.trainer.nn.Init;
import dev.gradwatch.trainer.nn.Loss;
import dev.gradwatch.trainer.nn.Sequential;
import dev.gradwatch.trainer.optim.ClipGradNorm;
import dev.gradwatch.trainer.optim.Optimizer;
import dev.gradwatch.trainer.optim.Sgd;
import dev.gradwatch.trainer.probe.GradientProbe;
import org.ejml.data.DMatrixRMaj;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One model training on its synthetic task, step by step: forward, backward, probe, clip, update.
 *
 * <p>Single-threaded: call {@link #step()} and the setters from the training thread (control
 * commands are applied between steps); {@link #stepCount()}, {@link #skippedSteps()},
 * {@link #clipNorm()} and {@link #learningRate()} may also be read from other threads for status.
 * A step allocates nothing in the steady state apart from its small {@link StepResult}, whose
 * layer list is a view valid until the next step.
 */
public final class TrainingSession implements Trainable {

    private final ModelSpec spec;
    private final Sequential model;
    private final List<Parameter> params;
    private final Loss loss;
    private final Optimizer optimizer;
    private final GradientProbe probe;
    private final BatchSource task;
    private final DMatrixRMaj X = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj T = new DMatrixRMaj(1, 1);
    // written only by the training thread, volatile so status readers on other threads see them
    private volatile double clipNorm;
    private volatile long steps;
    private volatile long skipped;
    // the learning rate before warm-up; scaleLearningRate scales it
    private volatile double baseLearningRate;

    private TrainingSession(ModelSpec spec) {
        this.spec = spec;
        SplittableRandom root = new SplittableRandom(spec.seed());
        SplittableRandom initRng = root.split();
        long taskSeed = root.nextLong();
        this.model = buildModel(spec, initRng);
        this.model.setInputGradientNeeded(false);
        this.params = model.parameters();
        this.loss = Loss.of(spec.loss());
        this.optimizer = new Sgd(params, spec.learningRate());
        this.probe = GradientProbe.overlapping(model);
        this.task = "bce".equals(spec.loss())
                ? TeacherTask.classification(spec.inputDim(), spec.outputDim(), taskSeed)
                : TeacherTask.regression(spec.inputDim(), spec.outputDim(), taskSeed);
        this.clipNorm = spec.initialClipNorm();
        this.baseLearningRate = spec.learningRate();
        optimizer.setLearningRate(scheduledLearningRate(0));
    }

    /** The learning rate of step t: the base rate, linearly warmed up over the spec's warm-up steps. */
    private double scheduledLearningRate(long t) {
        int warmup = spec.warmupSteps();
        return warmup == 0 ? baseLearningRate : baseLearningRate * Math.min(1.0, (t + 1) / (double) warmup);
    }

    public static TrainingSession create(ModelSpec spec) {
        return new TrainingSession(spec);
    }

    /** dense0 … dense(depth−1); hidden layers use the spec's activation, the output layer is linear. */
    static Sequential buildModel(ModelSpec spec, SplittableRandom rng) {
        Activation hidden = Activation.of(spec.activation());
        Init init = Init.parse(spec.init());
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < spec.depth(); i++) {
            boolean last = i == spec.depth() - 1;
            int in = i == 0 ? spec.inputDim() : spec.hiddenWidth();
            int out = last ? spec.outputDim() : spec.hiddenWidth();
            layers.add(new Dense("dense" + i, in, out, last ? Activation.LINEAR : hidden, init, rng));
        }
        return new Sequential(spec.name(), layers);
    }

    /**
     * One step on the next batch: forward, loss, backward, probe (on the raw gradients, on its
     * helper thread while this one goes on), global norm, clip by global norm, SGD. A gradient with
     * a NaN or infinite entry (or an infinite global norm) is never applied: the step is counted in
     * {@link #skippedSteps()} and the weights stay as they were.
     */
    public StepResult step() {
        optimizer.setLearningRate(scheduledLearningRate(steps));
        task.nextBatch(spec.batchSize(), X, T);
        model.zeroGrad();
        DMatrixRMaj Y = model.forward(X);
        double L = loss.forward(Y, T);
        model.backward(loss.backward());

        probe.beginMeasureGradients();
        // the guard (NaN or +Inf when an entry is), in the pass that also gives the probe each
        // layer's Σg², whose helper thread counts and sums the same raw gradients meanwhile
        double preClipNorm = probe.globalGradL2();
        boolean skip = !Double.isFinite(preClipNorm);
        if (!skip && ClipGradNorm.scales(preClipNorm, clipNorm)) {
            probe.awaitGradients();
            ClipGradNorm.clip(params, clipNorm, preClipNorm);
        }
        if (skip) {
            skipped++;
        } else {
            optimizer.step();
        }
        probe.measureUpdates(!skip);
        return new StepResult(steps++, L, preClipNorm, skip, probe.stats());
    }

    /** Steps taken so far, skipped ones included. */
    public long stepCount() {
        return steps;
    }

    /** Steps whose gradient was not finite and so was not applied. */
    public long skippedSteps() {
        return skipped;
    }

    /** Current global-norm clipping threshold, +Inf when clipping is off. */
    public double clipNorm() {
        return clipNorm;
    }

    /** Sets the global-norm clipping threshold from the next step on; +Inf switches clipping off. */
    public void setClipNorm(double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clip norm must be > 0, or +Infinity for none; got " + maxNorm);
        this.clipNorm = maxNorm;
    }

    public double learningRate() {
        return optimizer.learningRate();
    }

    /** Multiplies the learning rate by {@code factor} (finite, > 0) from the next step on. */
    public void scaleLearningRate(double factor) {
        if (!(factor > 0 && Double.isFinite(factor))) {
            throw new IllegalArgumentException("learning-rate factor must be finite and > 0, got " + factor);
        }
        baseLearningRate *= factor;
        optimizer.setLearningRate(scheduledLearningRate(steps));
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The network, for inspection and tests. */
    public Sequential model() {
        return model;
    }

    public long parameterCount() {
        return model.parameterCount();
    }
}
