package dev.gradwatch.monitor.policy;

/**
 * When the control policy goes beyond clipping: scale the learning rate down after repeated
 * explosions, stop the run after persistent non-finite gradients.
 *
 * @param lrScaleFactor        the factor of a {@code SCALE_LR} command, in (0, 1): 0.5 halves the learning rate,
 *                             the usual first response to a loss that keeps blowing up (e.g. the restart-and-lower
 *                             recipe of OPT-175B's logbook, Zhang et al. 2022, arXiv:2205.01068)
 * @param lrAfterClips         {@code SCALE_LR} once this many clip-norm commands were sent within {@code lrWithinSteps}
 *                             steps: clipping alone is not holding the run; 0 turns this trigger off
 * @param lrAfterClippedNonFinite {@code SCALE_LR} once this many non-finite steps arrived within
 *                             {@code lrWithinSteps} steps while the trainer reported a clip norm in force; 0 = off
 * @param lrWithinSteps        the span, in training steps, over which both triggers count
 * @param lrCooldownSteps      after a {@code SCALE_LR}, no other one for this many steps (time for the trainer to
 *                             apply it and for its effect to show)
 * @param stopAfterNonFiniteSteps {@code STOP} after this many consecutive reported steps with a non-finite gradient
 *                             or loss: the trainer skips such updates, so a long run of them means the weights or
 *                             the data are broken and training only burns compute; 0 = never stop
 */
public record EscalationConfig(
        double lrScaleFactor,
        int lrAfterClips,
        int lrAfterClippedNonFinite,
        int lrWithinSteps,
        int lrCooldownSteps,
        int stopAfterNonFiniteSteps) implements java.io.Serializable {

    public static final EscalationConfig DEFAULTS = new EscalationConfig(0.5, 3, 5, 200, 50, 20);

    public EscalationConfig {
        if (!(lrScaleFactor > 0 && lrScaleFactor < 1)) {
            throw new IllegalArgumentException("lr.scale-factor must be in (0, 1), got " + lrScaleFactor);
        }
        if (lrAfterClips < 0 || lrAfterClips > 100) {
            throw new IllegalArgumentException("lr.after-clips must be in 0..100 (0 = off), got " + lrAfterClips);
        }
        if (lrAfterClippedNonFinite < 0 || lrAfterClippedNonFinite > 1000) {
            throw new IllegalArgumentException("lr.after-clipped-non-finite must be in 0..1000 (0 = off), got " + lrAfterClippedNonFinite);
        }
        if (lrWithinSteps < 1) throw new IllegalArgumentException("lr.within-steps must be >= 1, got " + lrWithinSteps);
        if (lrCooldownSteps < 0) throw new IllegalArgumentException("lr.cooldown-steps must be >= 0, got " + lrCooldownSteps);
        if (stopAfterNonFiniteSteps < 0) {
            throw new IllegalArgumentException("stop.after-non-finite-steps must be >= 0 (0 = never), got " + stopAfterNonFiniteSteps);
        }
    }
}
