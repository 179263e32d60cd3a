package dev.gradwatch.events;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Objects;

/**
 * What one training worker publishes after each step: the loss and per-layer gradient statistics.
 *
 * @param clipNorm the global-norm clipping threshold in force at this step (+Inf when none)
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
        @JsonProperty(required = true) List<LayerStats> layers) {

    /** Version 2 added the optional layer statistics (NaN/±Inf counts, std, histogram, activations). */
    public static final int CURRENT_VERSION = 2;

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
    }

    public StepStats(String runId, String workerId, long step, long timestampMs, double loss,
                     double learningRate, double clipNorm, List<LayerStats> layers) {
        this(CURRENT_VERSION, runId, workerId, step, timestampMs, loss, learningRate, clipNorm, layers);
    }

    static void requireId(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must be a non-empty string");
        }
    }
}
