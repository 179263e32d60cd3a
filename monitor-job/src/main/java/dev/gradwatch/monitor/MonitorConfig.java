package dev.gradwatch.monitor;

import dev.gradwatch.events.Topics;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.policy.ClipPolicyConfig;
import dev.gradwatch.monitor.policy.EscalationConfig;
import dev.gradwatch.monitor.rules.DetectorKeys;
import dev.gradwatch.monitor.rules.RuleSet;
import dev.gradwatch.monitor.rules.RulesFile;
import dev.gradwatch.monitor.rules.RunOverride;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;

/**
 * Everything the monitor job reads at start: Kafka addresses and topics, checkpointing, and the
 * detector and policy settings. Built from {@code --key value} arguments and an optional
 * {@code --config file.properties}; see {@link #KEYS} for the keys and their defaults.
 *
 * @param startingOffsets where to start reading the stats topic when the group has no committed offset
 *                        ({@code earliest} or {@code latest}); committed offsets always win
 * @param stateIdleTimeoutMs keyed state of a (run, worker, layer) that receives nothing for this long is cleared
 * @param stallTimeoutMs  a (run, worker) silent for this long (processing time) is alerted as {@code stalled_worker};
 *                        must be shorter than the idle timeout, so a worker is announced before it is forgotten.
 *                        60 s, not SageMaker StalledTraining's 1,800 s: that rule looks at tensors saved every
 *                        500 steps, while trainers here publish every step (milliseconds to seconds apart), so a
 *                        minute of silence is already far outside a normal step or a checkpoint pause
 * @param detectors       the detector thresholds for every run without an override: built-in defaults,
 *                        replaced by the rules file's defaults, replaced by detector keys given as
 *                        arguments or in the properties file
 * @param rulesTopic      a topic of whole rules files (YAML) that replace the rules in force while the job
 *                        runs, the latest one winning; empty for rules fixed at start. A file from the
 *                        topic replaces them whole: built-in defaults, then that file; the detector keys
 *                        given at start no longer apply
 * @param rulesFile       the YAML rules file ({@code --rules}), empty for none
 * @param overrides       per-run thresholds from the rules file, the first matching run-id glob winning
 * @param acksTopic       the topic where trainers acknowledge control commands
 * @param ackTimeoutMs    a command without an ack this long after it was sent raises {@code command_unacknowledged};
 *                        10 s: the trainer applies a command at its next step and acks at once, so anything
 *                        slower than a few steps means the listener is not there; must be under the idle timeout
 * @param escalation      when the control policy scales the learning rate and stops a run ({@code lr.*}, {@code stop.*})
 * @param commandKeys     HMAC keys that sign control commands, {@code keyId:base64[,...]} or
 *                        {@code file:/path} holding that text (e.g. a mounted secret); empty sends them unsigned
 */
public record MonitorConfig(
        String bootstrapServers,
        String groupId,
        String startingOffsets,
        String statsTopic,
        String alertsTopic,
        String controlTopic,
        String deadLetterTopic,
        String rulesTopic,
        long checkpointIntervalMs,
        long bufferTimeoutMs,
        long stateIdleTimeoutMs,
        DetectorConfig detectors,
        ClipPolicyConfig clip,
        String rulesFile,
        List<RunOverride> overrides,
        String commandKeys,
        long stallTimeoutMs,
        EscalationConfig escalation,
        String acksTopic,
        long ackTimeoutMs) implements Serializable {

    /** Every key with its default, in the order {@code --help} shows them. */
    public static final Map<String, String> KEYS;

    static {
        Map<String, String> k = new LinkedHashMap<>();
        DetectorConfig d = DetectorConfig.DEFAULTS;
        ClipPolicyConfig c = ClipPolicyConfig.DEFAULTS;
        k.put("bootstrap.servers", "localhost:9092");
        k.put("group.id", "gradwatch-monitor");
        k.put("starting.offsets", "earliest");
        k.put("topic.stats", Topics.STATS);
        k.put("topic.alerts", Topics.ALERTS);
        k.put("topic.control", Topics.CONTROL);
        k.put("topic.dead-letter", Topics.STATS_DEAD_LETTER);
        k.put("topic.rules", "");
        k.put("topic.acks", Topics.ACKS);
        k.put("checkpoint.interval.ms", "10000");
        k.put("buffer.timeout.ms", "5");
        k.put("state.idle-timeout.ms", Long.toString(30 * 60 * 1000L));
        k.put("rules", "");
        k.putAll(DetectorKeys.asMap(d));
        k.put("clip.percentile", Double.toString(c.percentile()));
        k.put("clip.history-steps", Integer.toString(c.historySteps()));
        k.put("clip.min-norm", Double.toString(c.minClipNorm()));
        k.put("clip.cooldown-steps", Integer.toString(c.cooldownSteps()));
        k.put("command.ttl.ms", Long.toString(c.commandTtlMs()));
        k.put("clip.fallback-norm", Double.toString(c.fallbackNorm()));
        k.put("command.keys", "");
        k.put("stall.timeout.ms", "60000");
        k.put("command.ack-timeout.ms", "10000");
        EscalationConfig e = EscalationConfig.DEFAULTS;
        k.put("lr.scale-factor", Double.toString(e.lrScaleFactor()));
        k.put("lr.after-clips", Integer.toString(e.lrAfterClips()));
        k.put("lr.after-clipped-non-finite", Integer.toString(e.lrAfterClippedNonFinite()));
        k.put("lr.within-steps", Integer.toString(e.lrWithinSteps()));
        k.put("lr.cooldown-steps", Integer.toString(e.lrCooldownSteps()));
        k.put("stop.after-non-finite-steps", Integer.toString(e.stopAfterNonFiniteSteps()));
        KEYS = java.util.Collections.unmodifiableMap(k);
    }

    public MonitorConfig {
        requireText(bootstrapServers, "bootstrap.servers");
        requireText(groupId, "group.id");
        if (!"earliest".equals(startingOffsets) && !"latest".equals(startingOffsets)) {
            throw new IllegalArgumentException("starting.offsets must be 'earliest' or 'latest', got '"
                    + startingOffsets + "'");
        }
        requireText(statsTopic, "topic.stats");
        requireText(alertsTopic, "topic.alerts");
        requireText(controlTopic, "topic.control");
        requireText(deadLetterTopic, "topic.dead-letter");
        rulesTopic = rulesTopic == null ? "" : rulesTopic.trim();
        commandKeys = commandKeys == null ? "" : commandKeys.trim();
        if (!commandKeys.isEmpty() && !commandKeys.startsWith("file:")) {
            try {
                dev.gradwatch.events.CommandSigner.parse(commandKeys);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("command.keys: " + e.getMessage());
            }
        }
        if (checkpointIntervalMs < 0) {
            throw new IllegalArgumentException("checkpoint.interval.ms must be >= 0 (0 = off), got " + checkpointIntervalMs);
        }
        if (bufferTimeoutMs < 0) throw new IllegalArgumentException("buffer.timeout.ms must be >= 0, got " + bufferTimeoutMs);
        if (stateIdleTimeoutMs < 1000) {
            throw new IllegalArgumentException("state.idle-timeout.ms must be >= 1000, got " + stateIdleTimeoutMs);
        }
        if (stallTimeoutMs < 1000) throw new IllegalArgumentException("stall.timeout.ms must be >= 1000, got " + stallTimeoutMs);
        if (stallTimeoutMs >= stateIdleTimeoutMs) {
            throw new IllegalArgumentException("stall.timeout.ms (" + stallTimeoutMs + ") must be shorter than"
                    + " state.idle-timeout.ms (" + stateIdleTimeoutMs + "): a worker is alerted as stalled before its"
                    + " state is cleaned up");
        }
        java.util.Objects.requireNonNull(detectors, "detectors");
        java.util.Objects.requireNonNull(clip, "clip");
        java.util.Objects.requireNonNull(escalation, "escalation");
        requireText(acksTopic, "topic.acks");
        if (ackTimeoutMs < 100) throw new IllegalArgumentException("command.ack-timeout.ms must be >= 100, got " + ackTimeoutMs);
        if (ackTimeoutMs >= stateIdleTimeoutMs) {
            throw new IllegalArgumentException("command.ack-timeout.ms (" + ackTimeoutMs + ") must be shorter than"
                    + " state.idle-timeout.ms (" + stateIdleTimeoutMs + ")");
        }
        rulesFile = rulesFile == null ? "" : rulesFile.trim();
        overrides = List.copyOf(overrides);
    }

    /** The thresholds in force: the detector settings for every run. */
    public RuleSet rules() {
        return new RuleSet(detectors, overrides);
    }

    /** The defaults: a local broker and the standard topics. */
    public static MonitorConfig defaults() {
        return fromMap(Map.of());
    }

    /**
     * Reads {@code --key value} or {@code --key=value} pairs; {@code --config path} loads a
     * properties file first, and arguments given on the command line win over it.
     */
    public static MonitorConfig fromArgs(String... args) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> fromArgs = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("expected --key value, got '" + a + "'");
            String key;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                key = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                key = a.substring(2);
                if (i + 1 >= args.length) throw new IllegalArgumentException("--" + key + " needs a value");
                value = args[++i];
            }
            if ("config".equals(key)) values.putAll(load(Path.of(value)));
            else fromArgs.put(key, value);
        }
        values.putAll(fromArgs);
        return fromMap(values);
    }

    public static MonitorConfig fromProperties(Properties p) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) values.put(name, p.getProperty(name));
        return fromMap(values);
    }

    /** Builds a config from keys of {@link #KEYS}; an unknown key or a bad value names the key. */
    public static MonitorConfig fromMap(Map<String, String> values) {
        for (String key : values.keySet()) {
            if (!KEYS.containsKey(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "'; known keys: " + String.join(", ", KEYS.keySet()));
            }
        }
        Map<String, String> v = new LinkedHashMap<>(KEYS);
        v.putAll(values);
        Reader r = new Reader(v);
        String rulesPath = r.text("rules");
        RuleSet rules = rulesPath.isEmpty()
                ? RuleSet.of(DetectorKeys.fromMap(v, DetectorConfig.DEFAULTS))
                : RulesFile.load(Path.of(rulesPath)).toRuleSet(values);
        ClipPolicyConfig c = new ClipPolicyConfig(r.dbl("clip.percentile"), r.integer("clip.history-steps"),
                r.dbl("clip.min-norm"), r.integer("clip.cooldown-steps"), r.lng("command.ttl.ms"), r.dbl("clip.fallback-norm"));
        return new MonitorConfig(r.text("bootstrap.servers"), r.text("group.id"),
                r.text("starting.offsets").toLowerCase(Locale.ROOT), r.text("topic.stats"), r.text("topic.alerts"),
                r.text("topic.control"), r.text("topic.dead-letter"), r.text("topic.rules"), r.lng("checkpoint.interval.ms"),
                r.lng("buffer.timeout.ms"), r.lng("state.idle-timeout.ms"), rules.defaults(), c, rulesPath,
                rules.overrides(), r.text("command.keys"), r.lng("stall.timeout.ms"),
                new EscalationConfig(r.dbl("lr.scale-factor"), r.integer("lr.after-clips"),
                        r.integer("lr.after-clipped-non-finite"), r.integer("lr.within-steps"),
                        r.integer("lr.cooldown-steps"), r.integer("stop.after-non-finite-steps")),
                r.text("topic.acks"), r.lng("command.ack-timeout.ms"));
    }

    /** The same config with other values for some keys. */
    public MonitorConfig with(Map<String, String> overrides) {
        Map<String, String> v = new LinkedHashMap<>(asMap());
        v.putAll(overrides);
        return fromMap(v);
    }

    /** This config as key/value pairs, the inverse of {@link #fromMap}. */
    public Map<String, String> asMap() {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("bootstrap.servers", bootstrapServers);
        k.put("group.id", groupId);
        k.put("starting.offsets", startingOffsets);
        k.put("topic.stats", statsTopic);
        k.put("topic.alerts", alertsTopic);
        k.put("topic.control", controlTopic);
        k.put("topic.dead-letter", deadLetterTopic);
        k.put("topic.rules", rulesTopic);
        k.put("topic.acks", acksTopic);
        k.put("checkpoint.interval.ms", Long.toString(checkpointIntervalMs));
        k.put("buffer.timeout.ms", Long.toString(bufferTimeoutMs));
        k.put("state.idle-timeout.ms", Long.toString(stateIdleTimeoutMs));
        k.put("rules", rulesFile);
        k.putAll(DetectorKeys.asMap(detectors));
        k.put("clip.percentile", Double.toString(clip.percentile()));
        k.put("clip.history-steps", Integer.toString(clip.historySteps()));
        k.put("clip.min-norm", Double.toString(clip.minClipNorm()));
        k.put("clip.cooldown-steps", Integer.toString(clip.cooldownSteps()));
        k.put("command.ttl.ms", Long.toString(clip.commandTtlMs()));
        k.put("clip.fallback-norm", Double.toString(clip.fallbackNorm()));
        k.put("command.keys", commandKeys);
        k.put("stall.timeout.ms", Long.toString(stallTimeoutMs));
        k.put("command.ack-timeout.ms", Long.toString(ackTimeoutMs));
        k.put("lr.scale-factor", Double.toString(escalation.lrScaleFactor()));
        k.put("lr.after-clips", Integer.toString(escalation.lrAfterClips()));
        k.put("lr.after-clipped-non-finite", Integer.toString(escalation.lrAfterClippedNonFinite()));
        k.put("lr.within-steps", Integer.toString(escalation.lrWithinSteps()));
        k.put("lr.cooldown-steps", Integer.toString(escalation.lrCooldownSteps()));
        k.put("stop.after-non-finite-steps", Integer.toString(escalation.stopAfterNonFiniteSteps()));
        return k;
    }

    /** One line per key with its default, for {@code --help}. */
    public static String usage() {
        StringJoiner j = new StringJoiner(System.lineSeparator(),
                "usage: MonitorJob [--config file.properties] [--rules rules.yaml] [--key value]..." + System.lineSeparator(), "");
        KEYS.forEach((k, d) -> j.add(String.format(Locale.ROOT, "  --%-30s default %s", k, d)));
        return j.toString();
    }

    private static Map<String, String> load(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --config " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) m.put(name, p.getProperty(name).trim());
        return m;
    }

    private static void requireText(String v, String key) {
        if (v == null || v.isBlank()) throw new IllegalArgumentException(key + " must not be empty");
    }

    private record Reader(Map<String, String> v) {
        String text(String key) {
            return v.get(key).trim();
        }

        int integer(String key) {
            try {
                return Integer.parseInt(text(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be an integer, got '" + v.get(key) + "'");
            }
        }

        long lng(String key) {
            try {
                return Long.parseLong(text(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be an integer, got '" + v.get(key) + "'");
            }
        }

        double dbl(String key) {
            try {
                return Double.parseDouble(text(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a number, got '" + v.get(key) + "'");
            }
        }
    }
}
