package dev.gradwatch.monitor.job.wire;

import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link StepStats} between operators, field by field: the optional layer fields behind one presence
 * mask. Built with the records' canonical constructors, so a field added to them does not compile
 * here until it is written too ({@code WireSerializersTest} also counts the record components).
 */
public final class StepStatsSerializer extends ImmutableSerializer<StepStats> {

    public static final StepStatsSerializer INSTANCE = new StepStatsSerializer();
    public static final WireType<StepStats> TYPE = new WireType<>(StepStats.class, INSTANCE);

    private static final int NAN = 1;
    private static final int POS_INF = 1 << 1;
    private static final int NEG_INF = 1 << 2;
    private static final int STD = 1 << 3;
    private static final int HISTOGRAM = 1 << 4;
    private static final int ACT_MEAN = 1 << 5;
    private static final int ACT_STD = 1 << 6;
    private static final int SATURATED = 1 << 7;
    private static final int DEAD = 1 << 8;
    private static final int TIME_STEPS = 1 << 9;

    @Override
    public StepStats createInstance() {
        return null;
    }

    @Override
    public void serialize(StepStats s, DataOutputView out) throws IOException {
        out.writeInt(s.schemaVersion());
        StringValue.writeString(s.runId(), out);
        StringValue.writeString(s.workerId(), out);
        out.writeLong(s.step());
        out.writeLong(s.timestampMs());
        out.writeDouble(s.loss());
        out.writeDouble(s.learningRate());
        out.writeDouble(s.clipNorm());
        List<LayerStats> layers = s.layers();
        out.writeInt(layers.size());
        for (LayerStats l : layers) writeLayer(l, out);
        writeLabels(s.labels(), out);
        out.writeBoolean(s.endsRun());
    }

    @Override
    public StepStats deserialize(DataInputView in) throws IOException {
        int version = in.readInt();
        String runId = StringValue.readString(in);
        String workerId = StringValue.readString(in);
        long step = in.readLong();
        long timestampMs = in.readLong();
        double loss = in.readDouble();
        double learningRate = in.readDouble();
        double clipNorm = in.readDouble();
        int n = in.readInt();
        List<LayerStats> layers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) layers.add(readLayer(in));
        Map<String, String> labels = readLabels(in);
        Boolean endOfRun = in.readBoolean() ? Boolean.TRUE : null;
        return new StepStats(version, runId, workerId, step, timestampMs, loss, learningRate, clipNorm, layers, labels,
                endOfRun);
    }

    /** A run's labels: their number, then each key and value. */
    static void writeLabels(Map<String, String> labels, DataOutputView out) throws IOException {
        out.writeInt(labels.size());
        for (Map.Entry<String, String> e : labels.entrySet()) {
            StringValue.writeString(e.getKey(), out);
            StringValue.writeString(e.getValue(), out);
        }
    }

    static Map<String, String> readLabels(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n == 0) return Map.of();
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) labels.put(StringValue.readString(in), StringValue.readString(in));
        return labels;
    }

    static void writeLayer(LayerStats l, DataOutputView out) throws IOException {
        out.writeInt(l.index());
        StringValue.writeString(l.name(), out);
        StringValue.writeString(l.kind(), out);
        out.writeLong(l.paramCount());
        out.writeDouble(l.gradL2());
        out.writeDouble(l.gradMeanAbs());
        out.writeDouble(l.gradMaxAbs());
        out.writeLong(l.nonFiniteCount());
        out.writeDouble(l.zeroFraction());
        out.writeDouble(l.weightL2());
        out.writeDouble(l.updateRatio());
        int mask = (l.nanCount() != null ? NAN : 0) | (l.posInfCount() != null ? POS_INF : 0)
                | (l.negInfCount() != null ? NEG_INF : 0) | (l.gradStd() != null ? STD : 0)
                | (l.gradHistogram() != null ? HISTOGRAM : 0) | (l.activationMean() != null ? ACT_MEAN : 0)
                | (l.activationStd() != null ? ACT_STD : 0) | (l.saturatedFraction() != null ? SATURATED : 0)
                | (l.deadFraction() != null ? DEAD : 0) | (l.timeStepGradNorms() != null ? TIME_STEPS : 0);
        out.writeShort(mask);
        if (l.nanCount() != null) out.writeLong(l.nanCount());
        if (l.posInfCount() != null) out.writeLong(l.posInfCount());
        if (l.negInfCount() != null) out.writeLong(l.negInfCount());
        if (l.gradStd() != null) out.writeDouble(l.gradStd());
        if (l.gradHistogram() != null) {
            out.writeInt(l.gradHistogram().length);
            for (long c : l.gradHistogram()) out.writeLong(c);
        }
        if (l.activationMean() != null) out.writeDouble(l.activationMean());
        if (l.activationStd() != null) out.writeDouble(l.activationStd());
        if (l.saturatedFraction() != null) out.writeDouble(l.saturatedFraction());
        if (l.deadFraction() != null) out.writeDouble(l.deadFraction());
        if (l.timeStepGradNorms() != null) {
            out.writeInt(l.timeStepGradNorms().length);
            for (double v : l.timeStepGradNorms()) out.writeDouble(v);
        }
    }

    static LayerStats readLayer(DataInputView in) throws IOException {
        int index = in.readInt();
        String name = StringValue.readString(in);
        String kind = StringValue.readString(in);
        long paramCount = in.readLong();
        double gradL2 = in.readDouble();
        double gradMeanAbs = in.readDouble();
        double gradMaxAbs = in.readDouble();
        long nonFiniteCount = in.readLong();
        double zeroFraction = in.readDouble();
        double weightL2 = in.readDouble();
        double updateRatio = in.readDouble();
        int mask = in.readShort();
        Long nan = (mask & NAN) != 0 ? in.readLong() : null;
        Long posInf = (mask & POS_INF) != 0 ? in.readLong() : null;
        Long negInf = (mask & NEG_INF) != 0 ? in.readLong() : null;
        Double std = (mask & STD) != 0 ? in.readDouble() : null;
        long[] histogram = null;
        if ((mask & HISTOGRAM) != 0) {
            histogram = new long[in.readInt()];
            for (int i = 0; i < histogram.length; i++) histogram[i] = in.readLong();
        }
        Double actMean = (mask & ACT_MEAN) != 0 ? in.readDouble() : null;
        Double actStd = (mask & ACT_STD) != 0 ? in.readDouble() : null;
        Double saturated = (mask & SATURATED) != 0 ? in.readDouble() : null;
        Double dead = (mask & DEAD) != 0 ? in.readDouble() : null;
        double[] timeSteps = null;
        if ((mask & TIME_STEPS) != 0) {
            timeSteps = new double[in.readInt()];
            for (int i = 0; i < timeSteps.length; i++) timeSteps[i] = in.readDouble();
        }
        return new LayerStats(index, name, kind, paramCount, gradL2, gradMeanAbs, gradMaxAbs, nonFiniteCount,
                zeroFraction, weightL2, updateRatio, nan, posInf, negInf, std, histogram, actMean, actStd, saturated,
                dead, timeSteps);
    }

    @Override
    public TypeSerializerSnapshot<StepStats> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot: no configuration. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<StepStats> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
