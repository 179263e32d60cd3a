package dev.gradwatch.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Arrays;
import java.util.Objects;

/**
 * Gradient statistics of one layer at one training step, as the trainer's probe measured them.
 *
 * @param index          position of the layer in the network, 0 = closest to the input
 * @param name           human name of the layer, e.g. {@code dense3}
 * @param kind           layer kind with its activation, e.g. {@code dense/sigmoid}
 * @param paramCount     number of trainable parameters
 * @param gradL2         L2 norm of the layer's gradient (weights and biases together)
 * @param gradMeanAbs    mean of |g| over the finite entries
 * @param gradMaxAbs     max of |g| over the finite entries
 * @param nonFiniteCount number of NaN or ±Inf gradient entries
 * @param zeroFraction   fraction of gradient entries that are exactly zero
 * @param weightL2       L2 norm of the layer's parameters before the update
 * @param updateRatio    ‖Δw‖ / ‖w‖ of the update applied at this step (0 if none was applied)
 *
 * <p>Since schema version 2 a layer may also report, each null when not measured:
 * @param nanCount          gradient entries that are NaN
 * @param posInfCount       gradient entries that are +Inf
 * @param negInfCount       gradient entries that are −Inf
 * @param gradStd           standard deviation of the finite gradient entries
 * @param gradHistogram     counts of finite |g| over the fixed buckets of {@link GradHistogram}
 * @param activationMean    mean of the layer's output activations over the batch
 * @param activationStd     standard deviation of those activations
 * @param saturatedFraction fraction of sigmoid/tanh units whose inputs sit where the derivative is tiny
 * @param deadFraction      fraction of ReLU units inactive for every example of the batch
 * @param timeStepGradNorms recurrent layers: gradient norm with respect to the hidden state per time step
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LayerStats(
        @JsonProperty(required = true) int index,
        @JsonProperty(required = true) String name,
        @JsonProperty(required = true) String kind,
        @JsonProperty(required = true) long paramCount,
        @JsonProperty(required = true) double gradL2,
        @JsonProperty(required = true) double gradMeanAbs,
        @JsonProperty(required = true) double gradMaxAbs,
        @JsonProperty(required = true) long nonFiniteCount,
        @JsonProperty(required = true) double zeroFraction,
        @JsonProperty(required = true) double weightL2,
        @JsonProperty(required = true) double updateRatio,
        Long nanCount,
        Long posInfCount,
        Long negInfCount,
        Double gradStd,
        long[] gradHistogram,
        Double activationMean,
        Double activationStd,
        Double saturatedFraction,
        Double deadFraction,
        double[] timeStepGradNorms) {

    public LayerStats {
        if (index < 0) throw new IllegalArgumentException("index must be >= 0, got " + index);
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (paramCount < 0) throw new IllegalArgumentException("paramCount must be >= 0, got " + paramCount);
        if (nonFiniteCount < 0) throw new IllegalArgumentException("nonFiniteCount must be >= 0, got " + nonFiniteCount);
        if (gradHistogram != null && gradHistogram.length != GradHistogram.BUCKETS) {
            throw new IllegalArgumentException("gradHistogram must have " + GradHistogram.BUCKETS + " buckets, got "
                    + gradHistogram.length);
        }
        requireFraction(saturatedFraction, "saturatedFraction");
        requireFraction(deadFraction, "deadFraction");
    }

    /** The schema-1 statistics alone. */
    public LayerStats(int index, String name, String kind, long paramCount, double gradL2, double gradMeanAbs,
                      double gradMaxAbs, long nonFiniteCount, double zeroFraction, double weightL2, double updateRatio) {
        this(index, name, kind, paramCount, gradL2, gradMeanAbs, gradMaxAbs, nonFiniteCount, zeroFraction, weightL2,
                updateRatio, null, null, null, null, null, null, null, null, null, null);
    }

    private static void requireFraction(Double f, String field) {
        if (f != null && !(f >= 0 && f <= 1)) {
            throw new IllegalArgumentException(field + " must be between 0 and 1, got " + f);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof LayerStats l)) return false;
        return index == l.index && paramCount == l.paramCount && nonFiniteCount == l.nonFiniteCount
                && Double.compare(gradL2, l.gradL2) == 0 && Double.compare(gradMeanAbs, l.gradMeanAbs) == 0
                && Double.compare(gradMaxAbs, l.gradMaxAbs) == 0 && Double.compare(zeroFraction, l.zeroFraction) == 0
                && Double.compare(weightL2, l.weightL2) == 0 && Double.compare(updateRatio, l.updateRatio) == 0
                && name.equals(l.name) && kind.equals(l.kind)
                && Objects.equals(nanCount, l.nanCount) && Objects.equals(posInfCount, l.posInfCount)
                && Objects.equals(negInfCount, l.negInfCount) && Objects.equals(gradStd, l.gradStd)
                && Arrays.equals(gradHistogram, l.gradHistogram)
                && Objects.equals(activationMean, l.activationMean) && Objects.equals(activationStd, l.activationStd)
                && Objects.equals(saturatedFraction, l.saturatedFraction) && Objects.equals(deadFraction, l.deadFraction)
                && Arrays.equals(timeStepGradNorms, l.timeStepGradNorms);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, name, kind, gradL2, Arrays.hashCode(gradHistogram));
    }

    @Override
    public String toString() {
        return "LayerStats[" + index + " " + name + " " + kind + " gradL2=" + gradL2 + " nonFinite=" + nonFiniteCount + "]";
    }

    /** True when any gradient entry of this layer was NaN or infinite. */
    public boolean hasNonFinite() {
        return nonFiniteCount > 0 || !Double.isFinite(gradL2);
    }
}
