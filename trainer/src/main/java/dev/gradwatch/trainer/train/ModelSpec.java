package dev.gradwatch.trainer.train;

import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Init;
import dev.gradwatch.trainer.nn.Loss;

/**
 * A multilayer perceptron, its synthetic task and its training settings: {@code depth} dense
 * layers (the last one linear, the others with {@code activation}) trained by plain SGD on a
 * seeded {@link dev.gradwatch.trainer.data.TeacherTask} (regression for {@code mse},
 * binary classification for {@code bce}). The three demo presets describe the same runs as the
 * model files {@code examples/models/demo-*.yaml} that the demo trains; {@code DemoModelFilesTest}
 * keeps each file bit-identical to its preset.
 *
 * @param depth           number of dense layers including the output layer
 * @param activation      {@code sigmoid}, {@code tanh}, {@code relu} (or {@code leaky-relu:<slope>})
 * @param init            {@code pytorch-default}, {@code normal:<σ>}, {@code xavier-uniform} or {@code he-normal}
 * @param loss            {@code mse} or {@code bce} (binary cross-entropy on logits)
 * @param seed            seeds the initial weights and the task; the same spec gives bit-identical runs
 * @param initialClipNorm global-norm clipping threshold at the start; +Inf for none
 * @param warmupSteps     linear learning-rate warm-up: step t uses learningRate·min(1, (t+1)/warmupSteps);
 *                        0 for none (Goyal et al. 2017, arXiv:1706.02677)
 */
public record ModelSpec(String name, int inputDim, int hiddenWidth, int depth, int outputDim, String activation,
                        String init, String loss, double learningRate, int batchSize, long seed,
                        double initialClipNorm, int warmupSteps) {

    public ModelSpec {
        if (warmupSteps < 0) throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
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

    /** A spec without learning-rate warm-up. */
    public ModelSpec(String name, int inputDim, int hiddenWidth, int depth, int outputDim, String activation,
                     String init, String loss, double learningRate, int batchSize, long seed, double initialClipNorm) {
        this(name, inputDim, hiddenWidth, depth, outputDim, activation, init, loss, learningRate, batchSize, seed,
                initialClipNorm, 0);
    }

    private static void requirePositive(int value, String field) {
        if (value < 1) throw new IllegalArgumentException(field + " must be >= 1, got " + value);
    }

    /** The same model and task with another seed, e.g. one per worker. */
    public ModelSpec withSeed(long newSeed) {
        return new ModelSpec(name, inputDim, hiddenWidth, depth, outputDim, activation, init, loss, learningRate,
                batchSize, newSeed, initialClipNorm, warmupSteps);
    }

    /** The same spec with another initial clip norm (+Inf for none). */
    public ModelSpec withInitialClipNorm(double clipNorm) {
        return new ModelSpec(name, inputDim, hiddenWidth, depth, outputDim, activation, init, loss, learningRate,
                batchSize, seed, clipNorm, warmupSteps);
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
     * U(±1/√fanIn), binary cross-entropy, SGD at 0.1, no clipping.
     *
     * <p>Why it vanishes: going backward each sigmoid layer multiplies the gradient by σ′(z) ≤ 1/4
     * (about 0.24 here, as the pre-activations stay near 0) and by the weights, whose gain is
     * √(fanIn·Var w) = √(1/3) ≈ 0.58 under this init: about 0.14 per layer, so the first layer's
     * gradient is about 0.14¹⁵ ≈ 10⁻¹³ of the last layer's.
     *
     * <p>Measured (seed 1, 1000 steps): first/last gradient-norm ratio between 1e-13 and 2e-10 at
     * every step, first-layer gradient norm about 1e-13 (under the 1e-7 floor on every step), all
     * values finite, the loss stuck at ln 2 ≈ 0.69: the network does not learn.
     */
    public static ModelSpec vanishingDemo() {
        return new ModelSpec("vanishing-sigmoid-16", 32, 32, 16, 1, "sigmoid", "pytorch-default", "bce",
                0.1, 32, 1L, Double.POSITIVE_INFINITY);
    }

    /**
     * Exploding gradients: 8 tanh layers of width 64 with weights drawn from N(0, 1) whatever the
     * width, mean-squared error, SGD at 0.15, no clipping.
     *
     * <p>Why it explodes: with σ_w = 1 and fan-in 64 the pre-activations have a standard deviation
     * of about 7.5, so most tanh units sit near ±1: the chaotic phase of Poole et al. 2016
     * ("Exponential expressivity in deep neural networks through transient chaos"). Going
     * backward each layer multiplies the gradient by √(fanIn·σ_w²·E[tanh′(z)²]) ≈ √(64·0.07)
     * ≈ 2.1 (measured 1.9), so the input layer's gradient is about 100 times the output layer's
     * and already 1.8e3 at step 0. At learning rate 0.15 the first update is 5.8 times the first
     * layer's own weight norm (a healthy update is about 1e-3 of it); such updates scramble and
     * further saturate the hidden layers, and the saturated ±1 features push the linear output
     * layer's curvature past the stability limit 2/η (η·λ is 1.9 at step 0): the loss grows
     * about tenfold per step at first and about a hundredfold per step from step 10 on.
     *
     * <p>Measured (seed 2): largest layer gradient norm 1.8e3 at step 0 and 1.3e7 within the
     * first 10 steps; loss 35 at step 0, 1e10 at step 10, 5e67 at step 40, +Inf from step 164,
     * and from step 166 the gradient is NaN so every step is skipped. With
     * {@code setClipNorm(c)} applied at any step from 5 to 40, c = 1.0 or the 10th percentile of
     * the pre-clip norms seen so far, every one of those 72 runs keeps a finite loss for the 600
     * following steps: each update is at most η·c long, so the weights grow at most linearly.
     * Known limitation of this preset: clipping contains the explosion but does not undo it;
     * the loss stays near the level it had reached when the clip arrived (lowering the learning
     * rate as well does not bring it down either), so a late clip leaves a finite but useless
     * model.
     */
    public static ModelSpec explodingDemo() {
        return new ModelSpec("exploding-tanh-8", 32, 64, 8, 1, "tanh", "normal:1.0", "mse",
                0.15, 32, 2L, Double.POSITIVE_INFINITY);
    }

    /**
     * A healthy network: 6 ReLU layers of width 64 with He-normal init (gain about 1 per layer
     * both ways), mean-squared error, SGD at 0.01, no clipping.
     *
     * <p>Measured (seed 3, 1000 steps): every layer's gradient norm between 0.2 and 33,
     * first/last ratio between 0.2 and 3, all values finite, and the mean loss falls from 1.2
     * over the first 50 steps to 0.16 over the last 50.
     */
    public static ModelSpec healthyDemo() {
        return new ModelSpec("healthy-relu-6", 32, 64, 6, 1, "relu", "he-normal", "mse",
                0.01, 32, 3L, Double.POSITIVE_INFINITY);
    }
}
