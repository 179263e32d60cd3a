package dev.gradwatch.trainer.model;

import dev.gradwatch.trainer.data.AddingProblem;
import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Init;
import dev.gradwatch.trainer.optim.LearningRateSchedule;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A model described in a YAML or JSON model file: the layers, the loss, the optimizer with its
 * learning-rate schedule and clipping, the data set, and how long to train. Read with
 * {@link #read(Path)}; {@link ModelFileReader} documents the format and checks every field.
 *
 * @param name   the model's name (the file name without extension when the file gives none)
 * @param input  features per sample entering the first layer
 * @param output features leaving the last layer (worked out from the layers)
 * @param steps  training steps, or 0 when {@code epochs} is given
 * @param epochs passes over a finite data set, or 0 when {@code steps} is given
 * @param labels the run labels a worker training this file puts on its statistics (optional
 *               {@code labels} mapping of the file; the worker's {@code --label} options win)
 */
public record ModelFile(String name, int input, List<LayerSpec> layers, int output, String loss,
                        OptimizerSpec optimizer, ScheduleSpec schedule, ClipSpec clip, DataSpec data,
                        int batch, long seed, long steps, int epochs, java.util.Map<String, String> labels) {

    public ModelFile {
        layers = List.copyOf(layers);
        labels = dev.gradwatch.events.StepStats.checkLabels(labels);
    }

    /** Reads and checks a model file; YAML unless the name ends in {@code .json}. */
    public static ModelFile read(Path file) throws IOException {
        return ModelFileReader.read(file);
    }

    /** Parses model-file text ({@code json}: JSON, else YAML); {@code name} is the default model name. */
    public static ModelFile parse(String text, boolean json, String name) {
        return ModelFileReader.parse(text, json, name);
    }

    /** The same model with another seed. */
    public ModelFile withSeed(long newSeed) {
        return new ModelFile(name, input, layers, output, loss, optimizer, schedule, clip, data, batch, newSeed, steps, epochs,
                labels);
    }

    /** The same model trained for {@code n} steps. */
    public ModelFile withSteps(long n) {
        return new ModelFile(name, input, layers, output, loss, optimizer, schedule, clip, data, batch, seed, n, 0, labels);
    }

    /** One entry of the {@code layers} list. */
    public sealed interface LayerSpec {
    }

    /** A fully connected layer with its activation fused in. */
    public record Dense(int size, Activation activation, Init init) implements LayerSpec {
    }

    /** An activation on its own, e.g. after a normalization layer. */
    public record ActivationOnly(Activation activation) implements LayerSpec {
    }

    public record BatchNorm(double eps, double momentum) implements LayerSpec {
    }

    public record LayerNorm(double eps) implements LayerSpec {
    }

    /** y = x + scale·F(x) with F the inner layers, which must keep the width. */
    public record Residual(double scale, List<LayerSpec> layers) implements LayerSpec {
        public Residual {
            layers = List.copyOf(layers);
        }
    }

    public record Dropout(double p) implements LayerSpec {
    }

    /** A learned-slope rectifier, one slope per feature or one shared. */
    public record PRelu(boolean shared, double initialSlope) implements LayerSpec {
    }

    /**
     * A softmax layer. As the last layer of a model trained with {@code softmax-ce} it is folded
     * into the loss, which applies the softmax itself (fused, stabler).
     */
    public record Softmax() implements LayerSpec {
    }

    /**
     * A recurrent layer over a time-major sequence (see {@code RecurrentLayer}): {@code rnn}
     * (tanh), {@code lstm} or {@code gru}, with {@code size} hidden units; it outputs every hidden
     * state, so the layers after it act on every time step until a {@link LastStep}. T comes from
     * the data set.
     *
     * @param forgetBias LSTM only: the forget gate's starting bias (NaN for the others)
     */
    public record Recurrent(String cell, int size, double forgetBias) implements LayerSpec {
    }

    /** Keeps the last time step h_{T−1} of a sequence, B rows, so that dense layers can follow. */
    public record LastStep() implements LayerSpec {
    }

    /**
     * @param type        {@code sgd}, {@code adam} or {@code adamw}
     * @param momentum    SGD only
     * @param nesterov    SGD only
     * @param weightDecay coupled L2 for sgd and adam, decoupled for adamw
     */
    public record OptimizerSpec(String type, double lr, double momentum, boolean nesterov, double weightDecay,
                                double beta1, double beta2, double eps) {
    }

    /** A learning-rate schedule; its length may depend on the run's total steps. */
    public sealed interface ScheduleSpec {
        LearningRateSchedule build(long totalSteps);
    }

    public record ConstantSchedule() implements ScheduleSpec {
        @Override
        public LearningRateSchedule build(long totalSteps) {
            return new LearningRateSchedule.Constant();
        }
    }

    public record StepSchedule(long stepSize, double gamma) implements ScheduleSpec {
        @Override
        public LearningRateSchedule build(long totalSteps) {
            return new LearningRateSchedule.Step(stepSize, gamma);
        }
    }

    /** @param steps length of the cosine, 0 for the rest of the run */
    public record CosineSchedule(long steps, double minFactor) implements ScheduleSpec {
        @Override
        public LearningRateSchedule build(long totalSteps) {
            return new LearningRateSchedule.Cosine(steps > 0 ? steps : Math.max(1, totalSteps), minFactor);
        }
    }

    public record WarmupSchedule(long steps, ScheduleSpec then) implements ScheduleSpec {
        @Override
        public LearningRateSchedule build(long totalSteps) {
            return new LearningRateSchedule.Warmup(steps, then.build(Math.max(1, totalSteps - steps)));
        }
    }

    /**
     * @param type {@code none}, {@code norm}, {@code value}, {@code per-layer} or {@code agc}
     * @param max  the threshold (norm, value, per-layer) or AGC's λ
     * @param eps  AGC's ε
     */
    public record ClipSpec(String type, double max, double eps) {
    }

    /**
     * @param type     {@code teacher-regression}, {@code teacher-classification}, {@code two-spirals},
     *                 {@code parity}, {@code fashion-mnist}, or the sequence tasks {@code adding} and
     *                 {@code copy}
     * @param path     where the Fashion-MNIST IDX files are
     * @param bits     parity's input bits
     * @param turns    two spirals' turns
     * @param noise    two spirals' noise σ
     * @param testSize held-out samples drawn for the synthetic tasks
     * @param normalize Fashion-MNIST: standardize pixels with the training set's mean and std
     * @param timeSteps the adding problem's T (the copy task's T follows from its settings, see {@link #sequenceLength()})
     * @param symbols   the copy task's alphabet size
     * @param length    the copy task's number of symbols to remember
     * @param delay     the copy task's steps from the last symbol to the first answer step
     */
    public record DataSpec(String type, Path path, int bits, double turns, double noise, int testSize, boolean normalize,
                           int timeSteps, int symbols, int length, int delay) {

        /** A data set of single samples (no sequence settings). */
        public DataSpec(String type, Path path, int bits, double turns, double noise, int testSize, boolean normalize) {
            this(type, path, bits, turns, noise, testSize, normalize, 0, 0, 0, 0);
        }

        /** Whether the targets are classes (accuracy is measured) rather than real values. */
        public boolean classification() {
            return !type.equals("teacher-regression") && !type.equals("adding");
        }

        /** Whether samples are sequences, (T·B) time-major input rows per batch of B, for recurrent layers. */
        public boolean sequence() {
            return type.equals("adding") || type.equals("copy");
        }

        /** T of a sequence data set (the copy task's 2·length + delay), 0 for the others. */
        public int sequenceLength() {
            return switch (type) {
                case "adding" -> timeSteps;
                case "copy" -> 2 * length + delay;
                default -> 0;
            };
        }

        /** Whether a sequence data set has targets at every time step (copy) rather than one per sequence (adding). */
        public boolean targetsEveryTimeStep() {
            return type.equals("copy");
        }

        /** The test loss of the trivial predictor where the task defines one (adding: 2/12), else NaN. */
        public double baselineLoss() {
            return type.equals("adding") ? AddingProblem.BASELINE_MSE : Double.NaN;
        }
    }
}
