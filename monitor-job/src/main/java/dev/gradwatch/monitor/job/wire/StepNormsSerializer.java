package dev.gradwatch.monitor.job.wire;

import dev.gradwatch.monitor.job.StepNorms;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/** {@link StepNorms} between operators, field by field. */
public final class StepNormsSerializer extends ImmutableSerializer<StepNorms> {

    public static final StepNormsSerializer INSTANCE = new StepNormsSerializer();

    @Override
    public StepNorms createInstance() {
        return null;
    }

    @Override
    public void serialize(StepNorms s, DataOutputView out) throws IOException {
        StringValue.writeString(s.runId(), out);
        StringValue.writeString(s.workerId(), out);
        out.writeLong(s.step());
        out.writeLong(s.timestampMs());
        int n = s.layers();
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeInt(s.layerIndex()[i]);
            StringValue.writeString(s.layerName()[i], out);
            StringValue.writeString(s.layerKind()[i], out);
            out.writeDouble(s.gradL2()[i]);
        }
        StepStatsSerializer.writeLabels(s.labels(), out);
        out.writeBoolean(s.endOfRun());
    }

    @Override
    public StepNorms deserialize(DataInputView in) throws IOException {
        String runId = StringValue.readString(in);
        String workerId = StringValue.readString(in);
        long step = in.readLong();
        long timestampMs = in.readLong();
        int n = in.readInt();
        int[] index = new int[n];
        String[] name = new String[n];
        String[] kind = new String[n];
        double[] norm = new double[n];
        for (int i = 0; i < n; i++) {
            index[i] = in.readInt();
            name[i] = StringValue.readString(in);
            kind[i] = StringValue.readString(in);
            norm[i] = in.readDouble();
        }
        return new StepNorms(runId, workerId, step, timestampMs, index, name, kind, norm,
                StepStatsSerializer.readLabels(in), in.readBoolean());
    }

    @Override
    public TypeSerializerSnapshot<StepNorms> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot: no configuration. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<StepNorms> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
