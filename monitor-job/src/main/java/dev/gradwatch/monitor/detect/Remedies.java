package dev.gradwatch.monitor.detect;

import java.util.Locale;

/** What a person can do about a finding, derived from its numbers and the layers' kinds. */
final class Remedies {

    private static final String RELU_HE = "use a ReLU-family activation with He initialisation"
            + " (He et al. 2015, arXiv:1502.01852)";
    private static final String RESIDUAL = "add residual connections (He et al. 2016, arXiv:1512.03385)"
            + " or normalisation layers";

    private Remedies() {
    }

    static String vanishingLayer(String kind) {
        if (saturating(kind)) {
            return "sigmoid/tanh saturate (the sigmoid's derivative is at most 0.25): " + RELU_HE + "; " + RESIDUAL + ".";
        }
        if (has(kind, "relu")) {
            return "the ReLU units of this layer may be dead: check the fraction of zero gradients, lower the"
                    + " learning rate, try Leaky ReLU, use He initialisation (He et al. 2015, arXiv:1502.01852).";
        }
        return "check the initialisation scale (He or Glorot), the activation, and " + RESIDUAL + ".";
    }

    static String vanishingDepth(double attenuationPerLayer, int depth, String kinds) {
        StringBuilder sb = new StringBuilder("the gradient shrinks by a factor of ")
                .append(num(attenuationPerLayer)).append(" per layer on average across ").append(depth)
                .append(" layers: ");
        if (saturating(kinds)) {
            sb.append("sigmoid/tanh layers attenuate it (derivative at most 0.25 for the sigmoid); ")
                    .append(RELU_HE).append("; ").append(RESIDUAL).append('.');
        } else {
            sb.append(RESIDUAL).append(", and check the initialisation scale (He or Glorot).");
        }
        return sb.toString();
    }

    static String exploding(double learningRate) {
        return "clip the global gradient norm (the monitor proposes a clip norm at a low percentile of recent"
                + " norms, AutoClip: Seetharaman et al. 2020, arXiv:2007.14469) or lower the learning rate"
                + lr(learningRate) + " by 2-10x; look for an outlier batch at this step.";
    }

    static String growth(double learningRate) {
        return "the norm is growing geometrically: lower the learning rate" + lr(learningRate)
                + " or add a warm-up, and clip the global gradient norm before it overflows.";
    }

    static String nonFiniteGradient(String layerName, String kind, boolean lossFinite) {
        String where = lossFinite
                ? "the loss was finite, so look at the backward pass of " + layerName
                        + (kind.isEmpty() ? "" : " (" + kind + ")") + " for log(0), division by zero or overflow"
                : "the loss itself was not finite, so start from the loss";
        return "never apply this update (skip the step); if weights are already non-finite restore the last good"
                + " checkpoint; lower the learning rate; " + where + ".";
    }

    static String nonFiniteLoss() {
        return "check this batch's inputs and labels for NaN/Inf, compute log-probabilities with log-sum-exp"
                + " (or clamp log arguments), and lower the learning rate.";
    }

    static String gradientSpike(double ratio, double learningRate) {
        return "a jump of " + num(ratio) + "x in one step usually comes before a loss spike (in BLOOM-176B's"
                + " training the gradient norm jumped 4x one iteration before the loss did): look at this step's batch"
                + " for outliers or corrupt data, clip the global gradient norm, and if spikes recur lower the learning"
                + " rate" + lr(learningRate) + " or lengthen the warm-up.";
    }

    static String lossSpike(double gradRatio, double learningRate) {
        String cause = Double.isFinite(gradRatio) && gradRatio >= 2
                ? "the global gradient norm was " + num(gradRatio) + "x its recent level at the same step: treat it as"
                        + " an optimisation instability: clip the global gradient norm and lower the learning rate"
                        + lr(learningRate)
                : "the gradient norm did not jump with it, so suspect the data: check this step's batch for corrupt"
                        + " inputs or labels";
        return cause + "; if it does not recover, restart from a checkpoint before the spike and skip the batches"
                + " around it (PaLM: Chowdhery et al. 2022, arXiv:2204.02311).";
    }

    static String deadRelu(double deadFraction, double learningRate) {
        return num(100 * deadFraction) + "% of the units never activate, so they get no gradient and cannot recover:"
                + " lower the learning rate" + lr(learningRate) + " (a large update can push biases far negative),"
                + " use Leaky ReLU (slope 0.01) or another ReLU variant, and He initialisation"
                + " (He et al. 2015, arXiv:1502.01852).";
    }

    static String saturation(String kind, double saturatedFraction, double learningRate) {
        String act = has(kind, "tanh") ? "tanh" : has(kind, "sigmoid") ? "sigmoid" : "saturating";
        return num(100 * saturatedFraction) + "% of the " + act + " units sit where the derivative is almost 0:"
                + " normalise the inputs, use Glorot initialisation (Glorot and Bengio 2010) for " + act + " layers,"
                + " add normalisation layers, lower the learning rate" + lr(learningRate) + ", or "
                + RELU_HE + ".";
    }

    static String updateRatio(double medianLog10, double healthyLog10, double learningRate, String kind) {
        double factor = Math.pow(10, Math.abs(medianLog10 - healthyLog10));
        if (medianLog10 > healthyLog10) {
            return "each step changes the weights by 10^" + num(medianLog10) + " of their size: lower the learning rate"
                    + lr(learningRate) + " by about " + num(factor) + "x to get near 1e-3 (Deeplearning4j's healthy"
                    + " level), or clip the gradient norm.";
        }
        return "each step changes the weights by only 10^" + num(medianLog10) + " of their size, so this layer barely"
                + " learns: if its gradient is vanishing see that alert (" + vanishingLayer(kind) + ") otherwise raise"
                + " the learning rate" + lr(learningRate) + " by up to " + num(factor) + "x, towards 1e-3.";
    }

    static String lossNotDecreasing(double windowMean, double best, double learningRate) {
        return "if the loss (now " + num(windowMean) + ", best " + num(best) + ") is still far from what the task"
                + " allows: raise the learning rate" + lr(learningRate) + " or use a schedule, check for vanishing"
                + " gradients and for inputs or labels that do not match; if it is as low as expected, training has"
                + " converged: stop, or decay the learning rate.";
    }

    static String workerDivergence(double ratioToMedian, String workerId) {
        String direction = ratioToMedian > 1
                ? "larger than its peers': it may read a different or corrupt data shard, or use other hyperparameters"
                : "smaller than its peers': it may be stale (lagging parameters), reading a repeated or empty shard,"
                        + " or have different weights";
        return "worker " + workerId + "'s gradient is " + direction + "; compare its configuration, data shard and"
                + " host with the others', and in synchronous data-parallel training check that its gradients are"
                + " all-reduced with the rest.";
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String lr(double learningRate) {
        return Double.isFinite(learningRate) && learningRate > 0 ? " (now " + num(learningRate) + ")" : "";
    }

    private static boolean saturating(String kind) {
        return has(kind, "sigmoid") || has(kind, "tanh");
    }

    private static boolean has(String kind, String word) {
        return kind != null && kind.toLowerCase(Locale.ROOT).contains(word);
    }

    static String stalled() {
        return "check that the worker process is alive and not hung (a deadlock, a stuck data loader, a collective"
                + " waiting on a dead peer), that it can reach Kafka (its publisher drops statistics when Kafka is away"
                + " and counts them), and restart it from its last checkpoint if it is gone; a run that simply"
                + " finished also shows up here.";
    }
}
