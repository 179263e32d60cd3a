package dev.gradwatch.monitor.ingest;

import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;

import java.util.List;
import java.util.Map;

/**
 * The fields of a record as the streaming readers ({@link StepStatsReader}, {@link CompactStepReader})
 * meet them, one field each, in component order; then the record, through its constructor, which
 * checks the values as data binding would.
 */
final class RecordFields {

    private RecordFields() {
    }

    /** Which fields, by component position, were read; and which must be. */
    abstract static class Seen {
        private final int required;
        private int seen;

        Seen(int required) {
            this.required = required;
        }

        /** Records field {@code k} as read; false when it was read before. */
        boolean mark(int k) {
            boolean fresh = (seen & (1 << k)) == 0;
            seen |= 1 << k;
            return fresh;
        }

        /** True when every required field was read. */
        boolean complete() {
            return (seen & required) == required;
        }
    }

    /** The fields of a {@link StepStats}. */
    static final class Step extends Seen {
        /** Every record has the first nine; {@code labels} and {@code endOfRun} are left out when empty. */
        Step() {
            super(0x1FF);
        }

        int version;
        String runId;
        String workerId;
        long step;
        long timestampMs;
        double loss;
        double learningRate;
        double clipNorm;
        List<LayerStats> layers;
        Map<String, String> labels;
        Boolean endOfRun;

        StepStats build() {
            return new StepStats(version, runId, workerId, step, timestampMs, loss, learningRate, clipNorm, layers,
                    labels, endOfRun);
        }
    }

    /** The fields of a {@link LayerStats}. */
    static final class Layer extends Seen {
        /** The first eleven are required, the rest optional. */
        Layer() {
            super(0x7FF);
        }

        int index;
        String name;
        String kind;
        long paramCount;
        double gradL2;
        double gradMeanAbs;
        double gradMaxAbs;
        long nonFiniteCount;
        double zeroFraction;
        double weightL2;
        double updateRatio;
        Long nanCount;
        Long posInfCount;
        Long negInfCount;
        Double gradStd;
        long[] gradHistogram;
        Double activationMean;
        Double activationStd;
        Double saturatedFraction;
        Double deadFraction;
        double[] timeStepGradNorms;

        LayerStats build() {
            return new LayerStats(index, name, kind, paramCount, gradL2, gradMeanAbs, gradMaxAbs, nonFiniteCount,
                    zeroFraction, weightL2, updateRatio, nanCount, posInfCount, negInfCount, gradStd, gradHistogram,
                    activationMean, activationStd, saturatedFraction, deadFraction, timeStepGradNorms);
        }
    }
}
