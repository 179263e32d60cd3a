package dev.gradwatch.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON codec for every record that crosses Kafka.
 *
 * <p>NaN and ±Infinity are written as the strings {@code "NaN"}, {@code "Infinity"} and
 * {@code "-Infinity"} so that the output stays valid JSON; reading accepts those strings and also
 * the bare tokens that Python's {@code json} module writes. Wrong-typed scalars are errors, not
 * coerced: {@code "step": "12"} is rejected.
 */
public final class EventCodec {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            // Schubfach for writing doubles and FastDoubleParser for reading them, both bundled with
            // Jackson: a record of layer statistics is mostly doubles (./gradwatch bench monitor times decoding)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // fields added in later schema versions may be absent; the original ones are marked required
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private EventCodec() {
    }

    /** The configured mapper, for modules that need to read or write other JSON the same way. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] encode(Object record) {
        try {
            return MAPPER.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot encode " + record.getClass().getSimpleName(), e);
        }
    }

    public static String encodeToString(Object record) {
        return new String(encode(record), StandardCharsets.UTF_8);
    }

    public static <T> T decode(byte[] bytes, Class<T> type) throws DecodeException {
        if (bytes == null) {
            throw new DecodeException("empty record (null value)", null);
        }
        try {
            return MAPPER.readValue(bytes, type);
        } catch (ValueInstantiationException e) {
            // the compact constructor rejected a value: its message names the field
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new DecodeException("invalid " + type.getSimpleName() + ": " + cause.getMessage(), e);
        } catch (JsonMappingException e) {
            throw new DecodeException("invalid " + type.getSimpleName() + " at " + path(e) + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DecodeException("not valid JSON: " + firstLine(e.getMessage()), e);
        }
    }

    public static <T> T decode(String json, Class<T> type) throws DecodeException {
        return decode(json.getBytes(StandardCharsets.UTF_8), type);
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder("$");
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) sb.append('.').append(ref.getFieldName());
            else if (ref.getIndex() >= 0) sb.append('[').append(ref.getIndex()).append(']');
        }
        return sb.toString();
    }

    private static String firstLine(String message) {
        if (message == null) return "unknown error";
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
