package dev.gradwatch.monitor.rules;

import dev.gradwatch.monitor.detect.DetectorConfig;

import java.io.Serializable;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Thresholds for the runs whose id matches a glob ({@code *} any characters, {@code ?} one), the
 * defaults with some keys replaced.
 */
public final class RunOverride implements Serializable {

    private final String runIdGlob;
    private final DetectorConfig config;
    private transient Pattern compiled;

    public RunOverride(String runIdGlob, DetectorConfig config) {
        if (runIdGlob == null || runIdGlob.isBlank()) throw new IllegalArgumentException("run-id must not be empty");
        this.runIdGlob = runIdGlob;
        this.config = Objects.requireNonNull(config, "config");
    }

    public String runIdGlob() {
        return runIdGlob;
    }

    public DetectorConfig config() {
        return config;
    }

    public boolean matches(String runId) {
        if (compiled == null) compiled = globToRegex(runIdGlob);
        return compiled.matcher(runId).matches();
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
        return o instanceof RunOverride r && runIdGlob.equals(r.runIdGlob) && config.equals(r.config);
    }

    @Override
    public int hashCode() {
        return Objects.hash(runIdGlob, config);
    }

    @Override
    public String toString() {
        return "RunOverride[" + runIdGlob + " -> " + config + "]";
    }
}
