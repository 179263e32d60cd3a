package dev.gradwatch.monitor.job;

import dev.gradwatch.events.EventCodec;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;

/**
 * Writes records as JSON with {@link EventCodec}. Says its type, because the Kafka sink's lineage
 * code cannot infer the type of a lambda and fails the job graph when it tries.
 */
public final class JsonSerialization<T> implements SerializationSchema<T>, ResultTypeQueryable<T> {

    private final Class<T> type;

    public JsonSerialization(Class<T> type) {
        this.type = type;
    }

    @Override
    public byte[] serialize(T record) {
        return EventCodec.encode(record);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
