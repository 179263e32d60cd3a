package dev.gradwatch.monitor.job;

import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.rules.RuleSet;
import dev.gradwatch.monitor.rules.RulesFile;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The rules in force inside a keyed operator: those of the config until a rules file arrives on
 * the rules topic, then the latest one. The file's text is kept in broadcast state (checkpointed,
 * the same in every parallel instance), so a change needs no restart and keyed state is untouched;
 * a window size change reshapes each key's ring on its next sample, keeping the latest samples.
 *
 * <p>Also keeps one detector object per threshold set in force, dropped when the rules change.
 */
final class LiveRules<M> implements Serializable {

    /** Broadcast state: the latest valid rules file under {@link #KEY}. */
    static final MapStateDescriptor<String, String> STATE =
            new MapStateDescriptor<>("rules", Types.STRING, Types.STRING);
    static final String KEY = "current";

    private final RuleSet initial;
    private final SerializableFunction<DetectorConfig, M> factory;
    private transient String text;
    private transient RuleSet current;
    private transient Map<DetectorConfig, M> detectors;
    // the detector of each run seen under the rules in force: one String lookup per record instead
    // of matching the run's overrides and hashing its whole config
    private transient Map<String, M> byRun;
    // only while some override selects by labels: the detector per (run, labels)
    private transient Map<RunAndLabels, M> byRunAndLabels;

    private record RunAndLabels(String runId, Map<String, String> labels) {
    }

    interface SerializableFunction<A, B> extends Function<A, B>, Serializable {
    }

    LiveRules(RuleSet initial, SerializableFunction<DetectorConfig, M> factory) {
        this.initial = initial;
        this.factory = factory;
    }

    /** The detector for {@code runId} (a run without labels) under the rules in force. */
    M forRun(ReadOnlyBroadcastState<String, String> state, String runId) throws Exception {
        return forRun(state, runId, Map.of());
    }

    /**
     * The detector for a run with its labels under the rules in force. Cached per run id, or per run
     * id and labels when some override selects by labels.
     */
    M forRun(ReadOnlyBroadcastState<String, String> state, String runId, Map<String, String> labels) throws Exception {
        String latest = state.get(KEY);
        if (detectors == null || !java.util.Objects.equals(latest, text)) {
            // validated by the rules decoder before it was broadcast
            current = latest == null ? initial : RulesFile.parse(latest, "rules topic").toRuleSet();
            text = latest;
            detectors = new HashMap<>();
            byRun = new HashMap<>();
            byRunAndLabels = current.usesLabels() ? new HashMap<>() : null;
        }
        if (byRunAndLabels != null && !labels.isEmpty()) {
            M m = byRunAndLabels.get(new RunAndLabels(runId, labels));
            if (m == null) {
                m = detectors.computeIfAbsent(current.forRun(runId, labels), factory);
                byRunAndLabels.put(new RunAndLabels(runId, labels), m);
            }
            return m;
        }
        M m = byRun.get(runId);
        if (m == null) {
            m = detectors.computeIfAbsent(current.forRun(runId), factory);
            byRun.put(runId, m);
        }
        return m;
    }

    /** Stores a new rules file; every instance receives the same files in the same order. */
    static void update(BroadcastState<String, String> state, String rulesYaml) throws Exception {
        state.put(KEY, rulesYaml);
    }
}
