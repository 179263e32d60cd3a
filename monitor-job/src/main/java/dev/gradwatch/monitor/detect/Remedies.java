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
}
