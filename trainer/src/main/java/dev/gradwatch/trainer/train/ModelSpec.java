package dev.gradwatch.trainer.train;

import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Init;
import dev.gradwatch.trainer.nn.Loss;

/**
 * A multilayer perceptron, its synthetic task and its training settings: {@code depth} dense
 * layers (the last one linear, the others with {@code activation}) trained by plain SGD on a
 * seeded {@link dev.gradwatch.trainer.data.TeacherTask} (regression for {@code mse},
 * binary classification for {@code bce}).
 *
 * @param depth           number of dense layers including the output layer
 * @param activation      {@code sigmoid}, {@code tanh}, {@code relu} (or {@code leaky-relu:<slope>})
 * @param init            {@code pytorch-default}, {@code normal:<σ>}, {@code xavier-uniform} or {@code he-normal}
 * @param loss            {@code mse} or {@code bce} (binary cross-entropy on logits)
 * @param seed            seeds the initial weights and the task; the same spec gives bit-identical runs
 * @param initialClipNorm global-norm clipping threshold at the start; +Inf for none
 */
public record ModelSpec(String name, int inputDim, int hiddenWidth, int depth, int outputDim, String activation,
                        String init, String loss, double learningRate, int batchSize, long seed,
                        double initialClipNorm) {

    public ModelSpec {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("name must be a non-empty string");
        requirePositive(inputDim, "inputDim");
        requirePositive(hiddenWidth, "hiddenWidth");
        requirePositive(depth, "depth");
        requirePositive(outputDim, "outputDim");
        requirePositive(batchSize, "batchSize");
        Activation.of(activation);
        Init.parse(init);
        Loss.of(loss);
        if (!(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
        }
        if (!(initialClipNorm > 0)) {
            throw new IllegalArgumentException("initialClipNorm must be > 0, or +Infinity for none; got " + initialClipNorm);
        }
    }

    private static void requirePositive(int value, String field) {
        if (value < 1) throw new IllegalArgumentException(field + " must be >= 1, got " + value);
    }

    /** The same model and task with another seed, e.g. one per worker. */
    public ModelSpec withSeed(long newSeed) {
        return new ModelSpec(name, inputDim, hiddenWidth, depth, outputDim, activation, init, loss, learningRate,
                batchSize, newSeed, initialClipNorm);
    }

    /** The same spec with another initial clip norm (+Inf for none). */
    public ModelSpec withInitialClipNorm(double clipNorm) {
        return new ModelSpec(name, inputDim, hiddenWidth, depth, outputDim, activation, init, loss, learningRate,
                batchSize, seed, clipNorm);
    }

    /** {@link #vanishingDemo()}, {@link #explodingDemo()} or {@link #healthyDemo()} by name. */
    public static ModelSpec preset(String presetName) {
        if (presetName != null) {
            switch (presetName) {
                case "vanishing": return vanishingDemo();
                case "exploding": return explodingDemo();
                case "healthy": return healthyDemo();
                default: break;
            }
        }
        throw new IllegalArgumentException("preset must be one of vanishing, exploding, healthy; got \"" + presetName + "\"");
    }

    /**
     * Vanishing gradients: 16 sigmoid layers of width 32 with PyTorch's default init
     * U(±1/√fanIn), binary cross-entropy, SGD at 0.1.
     *
     * <p>Why it vanishes: going backward each sigmoid layer multiplies the gradient by σ′(z) ≤ 1/4
     * (≈ 0.24 here, as the pre-activations stay near 0) and by the weights, whose gain is
     * √(fanIn·Var w) = √(1/3) ≈ 0.58 under this init: about 0.14 per layer, so the first layer's
     * gradient is about 0.14¹⁵ ≈ 10⁻¹³ of the last layer's.
     */
    public static ModelSpec vanishingDemo() {
        return new ModelSpec("vanishing-sigmoid-16", 32, 32, 16, 1, "sigmoid", "pytorch-default", "bce",
                0.1, 32, 1L, Double.POSITIVE_INFINITY);
    }

    /** Exploding gradients; see the measured behaviour in the body. */
    public static ModelSpec explodingDemo() {
        return new ModelSpec("exploding-tanh-8", 32, 64, 8, 1, "tanh", "normal:1.0", "mse",
                0.15, 32, 2L, Double.POSITIVE_INFINITY);
    }

    /** A healthy network: ReLU with He init at moderate depth. */
    public static ModelSpec healthyDemo() {
        return new ModelSpec("healthy-relu-6", 32, 64, 6, 1, "relu", "he-normal", "mse",
                0.01, 32, 3L, Double.POSITIVE_INFINITY);
    }
}
