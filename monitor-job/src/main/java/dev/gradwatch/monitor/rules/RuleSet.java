package dev.gradwatch.monitor.rules;

import dev.gradwatch.monitor.detect.DetectorConfig;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * The thresholds in force: defaults, and per-run overrides selected by run-id globs, the first
 * matching override winning. Built from the rules file ({@link RulesFile}) or from a single
 * {@link DetectorConfig}.
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

    /** The thresholds for one run: those of the first override whose glob matches, else the defaults. */
    public DetectorConfig forRun(String runId) {
        for (RunOverride o : overrides) {
            if (o.matches(runId)) return o.config();
        }
        return defaults;
    }
}
