package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.Severity;

import java.util.Map;
import java.util.Set;

/** Names of the alert rules, as they appear in {@code Alert.rule} and in fingerprints. */
public final class Rules {

    /** One layer's gradient norm under the floor for a whole window. */
    public static final String VANISHING_GRADIENT = "vanishing_gradient";
    /** First-layer / last-layer gradient norm under the ratio floor for a whole window. */
    public static final String VANISHING_GRADIENT_DEPTH = "vanishing_gradient_depth";
    /** A layer's gradient norm over the ceiling. */
    public static final String EXPLODING_GRADIENT = "exploding_gradient";
    /** A layer's gradient norm grew by more than the growth factor within one window. */
    public static final String EXPLODING_GRADIENT_GROWTH = "exploding_gradient_growth";
    /** A NaN or infinite gradient entry at a step. */
    public static final String NON_FINITE_GRADIENT = "non_finite_gradient";
    /** A NaN or infinite loss at a step. */
    public static final String NON_FINITE_LOSS = "non_finite_loss";

    /** The average per-layer attenuation factor under the attenuation floor for a whole window. */
    public static final String VANISHING_GRADIENT_ATTENUATION = "vanishing_gradient_attenuation";
    /** A layer's gradient norm jumped far above its recent values (z-score of the log norm). */
    public static final String EXPLODING_GRADIENT_SPIKE = "exploding_gradient_spike";
    /** Over the dead fraction of a layer's ReLU units dead for a whole window. */
    public static final String DEAD_RELU = "dead_relu";
    /** Over the saturated fraction of a layer's sigmoid/tanh units saturated for a whole window. */
    public static final String ACTIVATION_SATURATION = "activation_saturation";
    /** The window median of a layer's log10 update-to-weight ratio outside the band. */
    public static final String UPDATE_RATIO_OUT_OF_BAND = "update_ratio_out_of_band";
    /** The loss jumped far above its recent values (z-score of the log loss). */
    public static final String LOSS_SPIKE = "loss_spike";
    /** The window-mean loss has not decreased by the minimum relative decrease for the patience. */
    public static final String LOSS_NOT_DECREASING = "loss_not_decreasing";
    /** A worker's gradient norm far from its peers' at the same steps (robust z-score across workers). */
    public static final String WORKER_DIVERGENCE = "worker_divergence";

    /** A (run, worker) that reported before has sent nothing for the stall timeout (processing time). */
    public static final String STALLED_WORKER = "stalled_worker";

    /** A control command the trainer did not acknowledge within the ack timeout. */
    public static final String COMMAND_UNACKNOWLEDGED = "command_unacknowledged";
    /** The trainer acknowledged a control command with applied=false. */
    public static final String COMMAND_REJECTED = "command_rejected";

    private static final Map<String, Severity> SEVERITY = Map.ofEntries(
            Map.entry(VANISHING_GRADIENT, Severity.WARNING),
            Map.entry(VANISHING_GRADIENT_DEPTH, Severity.WARNING),
            Map.entry(EXPLODING_GRADIENT, Severity.CRITICAL),
            Map.entry(EXPLODING_GRADIENT_GROWTH, Severity.WARNING),
            Map.entry(NON_FINITE_GRADIENT, Severity.CRITICAL),
            Map.entry(NON_FINITE_LOSS, Severity.CRITICAL),
            Map.entry(VANISHING_GRADIENT_ATTENUATION, Severity.WARNING),
            Map.entry(EXPLODING_GRADIENT_SPIKE, Severity.WARNING),
            Map.entry(DEAD_RELU, Severity.WARNING),
            Map.entry(ACTIVATION_SATURATION, Severity.WARNING),
            Map.entry(UPDATE_RATIO_OUT_OF_BAND, Severity.WARNING),
            Map.entry(LOSS_SPIKE, Severity.WARNING),
            Map.entry(LOSS_NOT_DECREASING, Severity.INFO),
            Map.entry(WORKER_DIVERGENCE, Severity.WARNING),
            Map.entry(STALLED_WORKER, Severity.WARNING),
            Map.entry(COMMAND_UNACKNOWLEDGED, Severity.WARNING),
            Map.entry(COMMAND_REJECTED, Severity.WARNING));

    public static final Set<String> ALL = SEVERITY.keySet();

    /** The severity of a rule's alerts, firing and resolved alike. */
    public static Severity severityOf(String rule) {
        Severity s = SEVERITY.get(rule);
        if (s == null) throw new IllegalArgumentException("unknown rule " + rule);
        return s;
    }

    private Rules() {
    }
}
