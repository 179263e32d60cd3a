package dev.gradwatch.monitor.policy;

/**
 * Settings of the clip-norm policy.
 *
 * @param percentile    percentile of recent finite global gradient norms used as the clip norm
 *                      (AutoClip recommends the 10th: Seetharaman et al. 2020, arXiv:2007.14469)
 * @param historySteps  how many recent global norms the percentile is taken over
 * @param minClipNorm   the policy never proposes a clip norm below this
 * @param cooldownSteps after a command, explosion evidence within this many steps is taken as the
 *                      same episode (the trainer may not have applied the command yet)
 * @param commandTtlMs  a command expires this long after it is issued
 * @param fallbackNorm  the clip norm when no healthy (under-the-ceiling) norm has been seen yet; 1.0 is
 *                      the common default of training libraries (e.g. max_grad_norm in Hugging Face)
 */
public record ClipPolicyConfig(
        double percentile,
        int historySteps,
        double minClipNorm,
        int cooldownSteps,
        long commandTtlMs,
        double fallbackNorm) implements java.io.Serializable {

    public static final ClipPolicyConfig DEFAULTS = new ClipPolicyConfig(10, 200, 1e-3, 10, 60_000, 1.0);

    public ClipPolicyConfig {
        if (!(percentile > 0 && percentile < 100)) {
            throw new IllegalArgumentException("clip.percentile must be in (0, 100), got " + percentile);
        }
        if (historySteps < 1) throw new IllegalArgumentException("clip.history-steps must be >= 1, got " + historySteps);
        if (!(minClipNorm > 0) || Double.isInfinite(minClipNorm)) {
            throw new IllegalArgumentException("clip.min-norm must be a finite number > 0, got " + minClipNorm);
        }
        if (cooldownSteps < 1) throw new IllegalArgumentException("clip.cooldown-steps must be >= 1, got " + cooldownSteps);
        if (commandTtlMs < 1) throw new IllegalArgumentException("command.ttl.ms must be >= 1, got " + commandTtlMs);
        if (!(fallbackNorm > 0) || Double.isInfinite(fallbackNorm)) {
            throw new IllegalArgumentException("clip.fallback-norm must be a finite number > 0, got " + fallbackNorm);
        }
    }
}
