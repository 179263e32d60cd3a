package dev.gradwatch.monitor.rules;

import dev.gradwatch.monitor.detect.DetectorConfig;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The thresholds in force: defaults, and per-run overrides selected by run-id glob, by labels or by
 * both; the first override in file order that matches a run wins. Built from the rules file
 * ({@link RulesFile}) or from a single {@link DetectorConfig}.
 */
public record RuleSet(DetectorConfig defaults, List<RunOverride> overrides) implements Serializable {

    public RuleSet {
        Objects.requireNonNull(defaults, "defaults");
        overrides = List.copyOf(overrides);
    }

    /** The same thresholds for every run. */
    public static RuleSet of(DetectorConfig cfg) {
        return new RuleSet(cfg, List.of());
    }

    /** The thresholds for a run without labels: those of the first override that matches it, else the defaults. */
    public DetectorConfig forRun(String runId) {
        return forRun(runId, Map.of());
    }

    /** The thresholds for a run with its labels: those of the first override that matches it, else the defaults. */
    public DetectorConfig forRun(String runId, Map<String, String> labels) {
        for (RunOverride o : overrides) {
            if (o.matches(runId, labels)) return o.config();
        }
        return defaults;
    }

    /** Whether some override selects by labels, so that runs with the same id may get different thresholds. */
    public boolean usesLabels() {
        for (RunOverride o : overrides) if (!o.labelGlobs().isEmpty()) return true;
        return false;
    }
}
