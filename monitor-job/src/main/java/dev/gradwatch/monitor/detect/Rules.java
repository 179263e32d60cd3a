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

    public static final Set<String> ALL = Set.of(VANISHING_GRADIENT, VANISHING_GRADIENT_DEPTH,
            EXPLODING_GRADIENT, EXPLODING_GRADIENT_GROWTH, NON_FINITE_GRADIENT, NON_FINITE_LOSS);

    private static final Map<String, Severity> SEVERITY = Map.of(
            VANISHING_GRADIENT, Severity.WARNING,
            VANISHING_GRADIENT_DEPTH, Severity.WARNING,
            EXPLODING_GRADIENT, Severity.CRITICAL,
            EXPLODING_GRADIENT_GROWTH, Severity.WARNING,
            NON_FINITE_GRADIENT, Severity.CRITICAL,
            NON_FINITE_LOSS, Severity.CRITICAL);

    /** The severity of a rule's alerts, firing and resolved alike. */
    public static Severity severityOf(String rule) {
        Severity s = SEVERITY.get(rule);
        if (s == null) throw new IllegalArgumentException("unknown rule " + rule);
        return s;
    }

    private Rules() {
    }
}
