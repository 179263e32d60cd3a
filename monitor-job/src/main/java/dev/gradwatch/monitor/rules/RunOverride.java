package dev.gradwatch.monitor.rules;

import dev.gradwatch.monitor.detect.DetectorConfig;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Thresholds for the runs an override selects, the defaults with some keys replaced. It selects by
 * a run-id glob, by labels, or by both: every condition given must hold (the run id matches the
 * glob, and the run carries each label with a value matching its glob). Globs: {@code *} any
 * characters, {@code ?} one, matched against the whole text.
 */
public final class RunOverride implements Serializable {

    private final String runIdGlob;
    private final Map<String, String> labelGlobs;
    private final DetectorConfig config;
    private transient Pattern compiled;
    private transient Map<String, Pattern> compiledLabels;

    /**
     * @param runIdGlob  the run-id glob, or null to select by labels alone
     * @param labelGlobs label name to value glob; empty to select by run id alone
     */
    public RunOverride(String runIdGlob, Map<String, String> labelGlobs, DetectorConfig config) {
        labelGlobs = labelGlobs == null ? Map.of() : labelGlobs;
        if (runIdGlob != null && runIdGlob.isBlank()) throw new IllegalArgumentException("run-id must not be empty");
        if (runIdGlob == null && labelGlobs.isEmpty()) {
            throw new IllegalArgumentException("an override must match a run-id, labels or both");
        }
        this.runIdGlob = runIdGlob;
        this.labelGlobs = java.util.Collections.unmodifiableMap(new TreeMap<>(labelGlobs));
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The run-id glob, or null when the override selects by labels alone. */
    public String runIdGlob() {
        return runIdGlob;
    }

    /** Label name to value glob; empty when the override selects by run id alone. */
    public Map<String, String> labelGlobs() {
        return labelGlobs;
    }

    public DetectorConfig config() {
        return config;
    }

    public boolean matches(String runId, Map<String, String> labels) {
        if (runIdGlob != null) {
            if (compiled == null) compiled = globToRegex(runIdGlob);
            if (!compiled.matcher(runId).matches()) return false;
        }
        if (labelGlobs.isEmpty()) return true;
        if (compiledLabels == null) {
            Map<String, Pattern> c = new TreeMap<>();
            labelGlobs.forEach((k, v) -> c.put(k, globToRegex(v)));
            compiledLabels = c;
        }
        for (Map.Entry<String, Pattern> e : compiledLabels.entrySet()) {
            String value = labels.get(e.getKey());
            if (value == null || !e.getValue().matcher(value).matches()) return false;
        }
        return true;
    }

    /** What the override matches, for error messages: {@code run-id 'bench-*', labels {team=vision}}. */
    public String describeMatch() {
        return describe(runIdGlob, labelGlobs);
    }

    static String describe(String runIdGlob, Map<String, String> labelGlobs) {
        StringBuilder sb = new StringBuilder();
        if (runIdGlob != null) sb.append("run-id '").append(runIdGlob).append('\'');
        if (!labelGlobs.isEmpty()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append("labels ").append(new TreeMap<>(labelGlobs));
        }
        return sb.toString();
    }

    static Pattern globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) re.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) re.append(Pattern.quote(literal.toString()));
        return Pattern.compile(re.toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunOverride r && Objects.equals(runIdGlob, r.runIdGlob) && labelGlobs.equals(r.labelGlobs)
                && config.equals(r.config);
    }

    @Override
    public int hashCode() {
        return Objects.hash(runIdGlob, labelGlobs, config);
    }

    @Override
    public String toString() {
        return "RunOverride[" + describeMatch() + " -> " + config + "]";
    }
}
