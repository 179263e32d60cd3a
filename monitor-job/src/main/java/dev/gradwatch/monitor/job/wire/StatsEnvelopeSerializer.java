package dev.gradwatch.monitor.job.wire;

import dev.gradwatch.monitor.ingest.RawRecord;
import dev.gradwatch.monitor.ingest.StatsEnvelope;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/** {@link StatsEnvelope} between operators: the raw record's bytes as they are, or the decoded statistics. */
public final class StatsEnvelopeSerializer extends ImmutableSerializer<StatsEnvelope> {

    public static final StatsEnvelopeSerializer INSTANCE = new StatsEnvelopeSerializer();
    public static final WireType<StatsEnvelope> TYPE = new WireType<>(StatsEnvelope.class, INSTANCE);

    @Override
    public StatsEnvelope createInstance() {
        return null;
    }

    @Override
    public void serialize(StatsEnvelope e, DataOutputView out) throws IOException {
        StringValue.writeString(e.runId(), out);
        StringValue.writeString(e.workerId(), out);
        RawRecord r = e.raw();
        out.writeBoolean(r != null);
        if (r != null) {
            StringValue.writeString(r.topic(), out);
            out.writeInt(r.partition());
            out.writeLong(r.offset());
            out.writeLong(r.timestampMs());
            writeBytes(r.key(), out);
            writeBytes(r.value(), out);
        } else {
            StepStatsSerializer.INSTANCE.serialize(e.stats(), out);
        }
    }

    @Override
    public StatsEnvelope deserialize(DataInputView in) throws IOException {
        String runId = StringValue.readString(in);
        String workerId = StringValue.readString(in);
        if (in.readBoolean()) {
            RawRecord r = new RawRecord(StringValue.readString(in), in.readInt(), in.readLong(), in.readLong(),
                    readBytes(in), readBytes(in));
            return new StatsEnvelope(runId, workerId, r, null);
        }
        return new StatsEnvelope(runId, workerId, null, StepStatsSerializer.INSTANCE.deserialize(in));
    }

    @Override
    public TypeSerializerSnapshot<StatsEnvelope> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot: no configuration. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<StatsEnvelope> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
