package dev.gradwatch.monitor.job.wire;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;


/**
 * Type information for a record type that crosses the network with a hand-written serializer:
 * Flink's POJO serializer reads and writes every field through reflection, and the records between
 * the job's keyed operators are the hot path.
 */
public final class WireType<T> extends TypeInformation<T> {

    private final Class<T> type;
    private final TypeSerializer<T> instance;

    public WireType(Class<T> type, TypeSerializer<T> serializer) {
        this.type = type;
        this.instance = serializer;
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return instance;
    }

    @Override
    public String toString() {
        return "WireType<" + type.getSimpleName() + ">";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WireType<?> w && w.type == type;
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof WireType;
    }
}
