package dev.gradwatch.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What one training worker publishes after each step: the loss and per-layer gradient statistics;
 * and, once, when it finishes normally, an end-of-run marker.
 *
 * @param clipNorm the global-norm clipping threshold in force at this step (+Inf when none)
 * @param labels   since schema version 3: the run's labels ({@code team=vision}), at most
 *                 {@value #MAX_LABELS}; keys of 1 to {@value #MAX_LABEL_KEY_LENGTH} letters, digits,
 *                 {@code . _ -}, starting with a letter or digit; values of at most
 *                 {@value #MAX_LABEL_VALUE_LENGTH} characters. Empty when the run has none (and then not written).
 * @param endOfRun since schema version 3: true on the one record a worker sends after its last step when
 *                 it finishes normally (its steps done, or stopped by a command). In a marker,
 *                 {@code step} is the number of steps taken, {@code loss} the last step's loss, and
 *                 {@code layers} repeats the last step's layer statistics (not a new measurement: they
 *                 tell the monitor which per-layer state to close), empty when no step was taken.
 *                 Null (not written) on ordinary steps.
 */
public record StepStats(
        @JsonProperty(required = true) int schemaVersion,
        @JsonProperty(required = true) String runId,
        @JsonProperty(required = true) String workerId,
        @JsonProperty(required = true) long step,
        @JsonProperty(required = true) long timestampMs,
        @JsonProperty(required = true) double loss,
        @JsonProperty(required = true) double learningRate,
        @JsonProperty(required = true) double clipNorm,
        @JsonProperty(required = true) List<LayerStats> layers,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> labels,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean endOfRun) {

    /**
     * Version 2 added the optional layer statistics (NaN/±Inf counts, std, histogram, activations);
     * version 3 the run labels and the end-of-run marker. Readers accept every version up to this one.
     */
    public static final int CURRENT_VERSION = 3;
    public static final int MAX_LABELS = 16;
    public static final int MAX_LABEL_KEY_LENGTH = 63;
    public static final int MAX_LABEL_VALUE_LENGTH = 256;
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    @JsonCreator
    public StepStats {
        if (schemaVersion < 1 || schemaVersion > CURRENT_VERSION) {
            throw new IllegalArgumentException(
                    "schemaVersion must be between 1 and " + CURRENT_VERSION + ", got " + schemaVersion);
        }
        requireId(runId, "runId");
        requireId(workerId, "workerId");
        if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
        Objects.requireNonNull(layers, "layers");
        layers = List.copyOf(layers);
        for (LayerStats l : layers) Objects.requireNonNull(l, "layers must not contain null");
        labels = checkLabels(labels);
        endOfRun = Boolean.TRUE.equals(endOfRun) ? Boolean.TRUE : null;
    }

    /** A record of the given version without labels, not an end-of-run marker. */
    public StepStats(int schemaVersion, String runId, String workerId, long step, long timestampMs, double loss,
                     double learningRate, double clipNorm, List<LayerStats> layers) {
        this(schemaVersion, runId, workerId, step, timestampMs, loss, learningRate, clipNorm, layers, Map.of(), null);
    }

    public StepStats(String runId, String workerId, long step, long timestampMs, double loss,
                     double learningRate, double clipNorm, List<LayerStats> layers) {
        this(CURRENT_VERSION, runId, workerId, step, timestampMs, loss, learningRate, clipNorm, layers);
    }

    /** One step's statistics of a labelled run. */
    public StepStats(String runId, String workerId, long step, long timestampMs, double loss,
                     double learningRate, double clipNorm, List<LayerStats> layers, Map<String, String> labels) {
        this(CURRENT_VERSION, runId, workerId, step, timestampMs, loss, learningRate, clipNorm, layers, labels, null);
    }

    /**
     * The marker a worker sends when it finishes normally, after its last step.
     *
     * @param stepsTaken the number of steps the worker took
     * @param lastLoss   the last step's loss (NaN when none)
     * @param lastLayers the last step's layer statistics, repeated; empty when no step was taken
     */
    public static StepStats endOfRun(String runId, String workerId, long stepsTaken, long timestampMs, double lastLoss,
                                     double learningRate, double clipNorm, List<LayerStats> lastLayers,
                                     Map<String, String> labels) {
        return new StepStats(CURRENT_VERSION, runId, workerId, stepsTaken, timestampMs, lastLoss, learningRate,
                clipNorm, lastLayers, labels, Boolean.TRUE);
    }

    /** The marker of a worker whose last layers are not repeated. */
    public static StepStats endOfRun(String runId, String workerId, long stepsTaken, long timestampMs, double lastLoss,
                                     double learningRate, double clipNorm, Map<String, String> labels) {
        return endOfRun(runId, workerId, stepsTaken, timestampMs, lastLoss, learningRate, clipNorm, List.of(), labels);
    }

    /**
     * The step's global gradient norm, √(Σ gradL2²) over its layers; NaN when a layer's gradient is
     * not finite or the step has no layers. (Not a bean getter: no JSON field.)
     */
    public double globalGradL2() {
        if (layers.isEmpty()) return Double.NaN;
        double sumSq = 0;
        for (LayerStats l : layers) {
            if (l.hasNonFinite()) return Double.NaN;
            sumSq += l.gradL2() * l.gradL2();
        }
        return Math.sqrt(sumSq);
    }

    /** True on the end-of-run marker. (Not a bean getter: the JSON field is {@code endOfRun}.) */
    public boolean endsRun() {
        return endOfRun != null;
    }

    /**
     * The labels, checked: bounded in number and length, keys spelt like Kubernetes label names,
     * sorted by key. Errors name the label. A map this returned comes back as it is, so a trainer
     * that puts the same checked labels on every step neither checks nor copies them again.
     */
    public static Map<String, String> checkLabels(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) return Map.of();
        if (labels instanceof CheckedLabels) return labels;
        if (labels.size() > MAX_LABELS) {
            throw new IllegalArgumentException("labels: at most " + MAX_LABELS + " labels, got " + labels.size());
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            String k = e.getKey();
            if (k == null || k.length() > MAX_LABEL_KEY_LENGTH || !LABEL_KEY.matcher(k).matches()) {
                throw new IllegalArgumentException("labels: key '" + k + "' must be 1 to " + MAX_LABEL_KEY_LENGTH
                        + " letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
            String v = e.getValue();
            if (v == null) throw new IllegalArgumentException("labels." + k + ": value must be a string, got null");
            if (v.length() > MAX_LABEL_VALUE_LENGTH) {
                throw new IllegalArgumentException("labels." + k + ": value must be at most " + MAX_LABEL_VALUE_LENGTH
                        + " characters, got " + v.length());
            }
            sorted.put(k, v);
        }
        return new CheckedLabels(sorted);
    }

    /** Labels that passed {@link #checkLabels}: sorted by key and unmodifiable. */
    private static final class CheckedLabels extends java.util.AbstractMap<String, String>
            implements java.io.Serializable {
        private final Map<String, String> sorted;

        CheckedLabels(TreeMap<String, String> sorted) {
            this.sorted = java.util.Collections.unmodifiableMap(sorted);
        }

        @Override
        public java.util.Set<Entry<String, String>> entrySet() {
            return sorted.entrySet();
        }

        @Override
        public String get(Object key) {
            return sorted.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return sorted.containsKey(key);
        }

        @Override
        public int size() {
            return sorted.size();
        }
    }

    static void requireId(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must be a non-empty string");
        }
    }
}
