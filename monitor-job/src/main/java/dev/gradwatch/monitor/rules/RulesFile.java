package dev.gradwatch.monitor.rules;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules file: detector thresholds as YAML, with defaults and per-run overrides.
 *
 * <pre>
 * version: 1
 * defaults:                  # any detector key; nested maps and dotted keys are the same thing
 *   window: {size: 10, slide: 5}
 *   exploding.ceiling: 1.0e3
 * overrides:                 # the first override (in file order) that matches a run applies to it
 *   - match: {run-id: "bench-*"}
 *     set: {exploding.ceiling: 1.0e4}
 *   - match: {labels: {team: vision}}           # every label given must be on the run, values are globs
 *     set: {spike.z: 10}
 *   - match: {run-id: "exp-*", labels: {tier: "gpu-*"}}   # both must hold
 *     set: {window.size: 20}
 * </pre>
 *
 * <p>Every error names where it is (the file, {@code defaults} or {@code overrides[i]}), the key and
 * the expected value. Keys left out keep their built-in default ({@link DetectorConfig#DEFAULTS});
 * an override's keys replace those of the file's defaults. The example at
 * {@code rules-default.yaml} on the classpath lists every key with its default and its source.
 *
 * @param defaults  the {@code defaults} section as detector keys and values
 * @param overrides the {@code overrides} section, in file order
 */
public record RulesFile(String source, Map<String, String> defaults, List<Section> overrides) {

    /** Version of the file format this reader understands. */
    public static final int VERSION = 1;

    /** One entry of {@code overrides}: a run-id glob (null when absent), label globs, and the keys it sets. */
    public record Section(String runIdGlob, Map<String, String> labels, Map<String, String> set) {
        public Section {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public RulesFile {
        defaults = Map.copyOf(defaults);
        overrides = List.copyOf(overrides);
    }

    public static RulesFile load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read rules file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Reads rules from YAML text; {@code source} names it in errors. */
    public static RulesFile parse(String yaml, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("rules file " + source + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
        }
        String where = "rules file " + source;
        if (root == null || root.isMissingNode() || root.isNull()) return new RulesFile(source, Map.of(), List.of());
        if (!root.isObject()) throw new IllegalArgumentException(where + ": expected a mapping at the top level");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!List.of("version", "defaults", "overrides").contains(k)) {
                throw new IllegalArgumentException(where + ": unknown top-level key '" + k
                        + "'; expected version, defaults, overrides");
            }
        }
        JsonNode version = root.get("version");
        if (version != null && !(version.canConvertToInt() && version.asInt() == VERSION && version.isNumber())) {
            throw new IllegalArgumentException(where + ": version must be " + VERSION + ", got " + version);
        }
        Map<String, String> defaults = keys(root.get("defaults"), where + ": defaults");
        List<Section> overrides = new ArrayList<>();
        JsonNode list = root.get("overrides");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) throw new IllegalArgumentException(where + ": overrides must be a list");
            for (int i = 0; i < list.size(); i++) {
                overrides.add(override(list.get(i), where + ": overrides[" + i + "]"));
            }
        }
        return new RulesFile(source, defaults, overrides);
    }

    /**
     * The thresholds: built-in defaults, replaced by the file's defaults, replaced by {@code explicit}
     * (keys given on the command line, which win over the file); each override on top of those.
     */
    public RuleSet toRuleSet(Map<String, String> explicit) {
        Map<String, String> d = new LinkedHashMap<>(defaults);
        explicit.forEach((k, v) -> {
            if (DetectorKeys.isKey(k)) d.put(k, v);
        });
        DetectorConfig base = build(d, DetectorConfig.DEFAULTS, "rules file " + source + ": defaults");
        List<RunOverride> runs = new ArrayList<>();
        for (int i = 0; i < overrides.size(); i++) {
            Section o = overrides.get(i);
            String where = "rules file " + source + ": overrides[" + i + "] ("
                    + RunOverride.describe(o.runIdGlob(), o.labels()) + ")";
            runs.add(new RunOverride(o.runIdGlob(), o.labels(), build(o.set(), base, where)));
        }
        return new RuleSet(base, runs);
    }

    public RuleSet toRuleSet() {
        return toRuleSet(Map.of());
    }

    private static DetectorConfig build(Map<String, String> values, DetectorConfig base, String where) {
        try {
            return DetectorKeys.fromMap(values, base);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static Section override(JsonNode node, String where) {
        if (node == null || !node.isObject()) throw new IllegalArgumentException(where + ": expected a mapping with match and set");
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("match") && !k.equals("set")) {
                throw new IllegalArgumentException(where + ": unknown key '" + k + "'; expected match, set");
            }
        }
        JsonNode match = node.get("match");
        if (match == null || !match.isObject() || match.isEmpty()) {
            throw new IllegalArgumentException(where + ": match must be a mapping with run-id, labels or both, e.g."
                    + " {run-id: \"bench-*\"} or {labels: {team: vision}}");
        }
        for (Iterator<String> it = match.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("run-id") && !k.equals("labels")) {
                throw new IllegalArgumentException(where + ".match: unknown key '" + k + "'; expected run-id, labels");
            }
        }
        String runIdGlob = null;
        JsonNode glob = match.get("run-id");
        if (glob != null) {
            if (!glob.isTextual() || glob.asText().isBlank()) {
                throw new IllegalArgumentException(where + ".match.run-id must be a non-empty string (a glob: * any"
                        + " characters, ? one), got " + glob);
            }
            runIdGlob = glob.asText();
        }
        Map<String, String> labels = labels(match.get("labels"), where + ".match.labels");
        Map<String, String> set = keys(node.get("set"), where + ".set");
        if (set.isEmpty()) throw new IllegalArgumentException(where + ".set must set at least one key");
        return new Section(runIdGlob, labels, set);
    }

    /**
     * {@code match.labels}: label names as the statistics carry them ({@link StepStats#checkLabels}),
     * each with a value glob; a run must carry every one of them.
     */
    private static Map<String, String> labels(JsonNode node, String where) {
        if (node == null) return Map.of();
        if (!node.isObject() || node.isEmpty()) {
            throw new IllegalArgumentException(where + " must be a non-empty mapping of label names to value globs,"
                    + " e.g. {team: vision}, got " + node);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!v.isValueNode() || v.isNull() || v.asText().isEmpty()) {
                throw new IllegalArgumentException(where + "." + e.getKey() + " must be a non-empty string (a glob: *"
                        + " any characters, ? one), got " + (v.isNull() ? "nothing" : v.toString()));
            }
            out.put(e.getKey(), v.asText());
        }
        try {
            StepStats.checkLabels(out);
        } catch (IllegalArgumentException e) {
            // "labels: key 'x' must be …": the same rule that trainers' labels follow
            throw new IllegalArgumentException(where + ": " + e.getMessage().replaceFirst("^labels[:.] ?", ""), e);
        }
        return out;
    }

    /** A mapping of detector keys, nested or dotted, as flat key/value text; every key must be known. */
    private static Map<String, String> keys(JsonNode node, String where) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) return out;
        if (!node.isObject()) throw new IllegalArgumentException(where + " must be a mapping of keys to values");
        flatten("", node, where, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, String where, Map<String, String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                flatten(key, v, where, out);
                continue;
            }
            if (!DetectorKeys.isKey(key)) {
                throw new IllegalArgumentException(where + ": unknown key '" + key + "'; known keys: "
                        + String.join(", ", DetectorKeys.asMap(DetectorConfig.DEFAULTS).keySet()));
            }
            if (!v.isValueNode() || v.isNull()) {
                throw new IllegalArgumentException(where + ": " + key + " must be a number, got "
                        + (v.isNull() ? "nothing" : v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
            }
            if (out.put(key, v.asText()) != null) {
                throw new IllegalArgumentException(where + ": " + key + " is given twice");
            }
        }
    }
}
