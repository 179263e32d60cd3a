package dev.gradwatch.monitor.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@link StepStats} token by token with Jackson's streaming parser, the common case only: the
 * fields this version knows, each once, with the JSON types the codec writes. Anything else (an
 * unknown field, a field twice or missing, a null where a value is required, a number of another
 * kind, a value the records' constructors refuse) gives null, and the caller reads the record through
 * the codec's data binding, which decides, names the problem, and reads fields added later. So this
 * reader can only be faster, never different.
 *
 * <p>Data binding spends most of its time finding creator properties and buffering them for the
 * records' constructors; here each field goes straight into a local.
 */
final class StepStatsReader {

    /** Components of {@link StepStats} and of {@link LayerStats} this reader knows; see {@code StatsDecoderTest}. */
    static final int STEP_FIELDS = 11;
    static final int LAYER_FIELDS = 21;

    /** Thrown, without a stack trace, when the record is not of the common shape. */
    private static final class NotCommon extends IOException {
        NotCommon() {
            super("not the common shape", null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private static final NotCommon NOT_COMMON = new NotCommon();

    private StepStatsReader() {
    }

    /** The step, or null when the record is not of the common shape (the caller then binds it). */
    static StepStats read(ObjectReader reader, byte[] json) {
        try (JsonParser p = reader.createParser(json)) {
            StepStats s = step(p);
            return p.nextToken() == null ? s : null;
        } catch (Exception | StackOverflowError e) {
            return null;
        }
    }

    private static StepStats step(JsonParser p) throws IOException {
        expect(p.nextToken() == JsonToken.START_OBJECT);
        RecordFields.Step f = new RecordFields.Step();
        int k = -1;
        while ((k = nextField(p, STEP_NAMES, k + 1)) >= 0) {
            p.nextToken();
            switch (k) {
                case 0 -> f.version = integer(p);
                case 1 -> f.runId = string(p);
                case 2 -> f.workerId = string(p);
                case 3 -> f.step = longValue(p);
                case 4 -> f.timestampMs = longValue(p);
                case 5 -> f.loss = number(p);
                case 6 -> f.learningRate = number(p);
                case 7 -> f.clipNorm = number(p);
                case 8 -> f.layers = layers(p);
                case 9 -> f.labels = labels(p);
                default -> f.endOfRun = bool(p);
            }
            expect(f.mark(k));
        }
        expect(p.currentToken() == JsonToken.END_OBJECT && f.complete());
        return f.build();
    }

    /** The run's labels: an object of strings (the record's constructor checks their number and spelling). */
    private static Map<String, String> labels(JsonParser p) throws IOException {
        expect(p.currentToken() == JsonToken.START_OBJECT);
        Map<String, String> labels = new LinkedHashMap<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            expect(labels.put(key, string(p)) == null);
        }
        expect(t == JsonToken.END_OBJECT);
        return labels;
    }

    private static Boolean bool(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        expect(t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE);
        return t == JsonToken.VALUE_TRUE;
    }

    private static List<LayerStats> layers(JsonParser p) throws IOException {
        expect(p.currentToken() == JsonToken.START_ARRAY);
        List<LayerStats> layers = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) layers.add(layer(p));
        expect(t == JsonToken.END_ARRAY);
        return layers;
    }

    private static LayerStats layer(JsonParser p) throws IOException {
        RecordFields.Layer f = new RecordFields.Layer();
        int k = -1;
        while ((k = nextField(p, LAYER_NAMES, k + 1)) >= 0) {
            p.nextToken();
            switch (k) {
                case 0 -> f.index = integer(p);
                case 1 -> f.name = string(p);
                case 2 -> f.kind = string(p);
                case 3 -> f.paramCount = longValue(p);
                case 4 -> f.gradL2 = number(p);
                case 5 -> f.gradMeanAbs = number(p);
                case 6 -> f.gradMaxAbs = number(p);
                case 7 -> f.nonFiniteCount = longValue(p);
                case 8 -> f.zeroFraction = number(p);
                case 9 -> f.weightL2 = number(p);
                case 10 -> f.updateRatio = number(p);
                case 11 -> f.nanCount = nullableLong(p);
                case 12 -> f.posInfCount = nullableLong(p);
                case 13 -> f.negInfCount = nullableLong(p);
                case 14 -> f.gradStd = nullableNumber(p);
                case 15 -> f.gradHistogram = longs(p);
                case 16 -> f.activationMean = nullableNumber(p);
                case 17 -> f.activationStd = nullableNumber(p);
                case 18 -> f.saturatedFraction = nullableNumber(p);
                case 19 -> f.deadFraction = nullableNumber(p);
                default -> f.timeStepGradNorms = numbers(p);
            }
            expect(f.mark(k));
        }
        expect(p.currentToken() == JsonToken.END_OBJECT && f.complete());
        return f.build();
    }

    /** Field names in the order the codec writes them (the records' component order). */
    private static final SerializedString[] STEP_NAMES = names("schemaVersion", "runId", "workerId", "step",
            "timestampMs", "loss", "learningRate", "clipNorm", "layers", "labels", "endOfRun");
    private static final SerializedString[] LAYER_NAMES = names("index", "name", "kind", "paramCount", "gradL2",
            "gradMeanAbs", "gradMaxAbs", "nonFiniteCount", "zeroFraction", "weightL2", "updateRatio", "nanCount",
            "posInfCount", "negInfCount", "gradStd", "gradHistogram", "activationMean", "activationStd",
            "saturatedFraction", "deadFraction", "timeStepGradNorms");

    private static SerializedString[] names(String... names) {
        SerializedString[] s = new SerializedString[names.length];
        for (int i = 0; i < names.length; i++) s[i] = new SerializedString(names[i]);
        return s;
    }

    /**
     * Moves to the next field and returns its position in {@code names}, or -1 at the end of the
     * object. Tries the expected name first, which the parser compares as bytes without looking the
     * name up; optional fields left out make it look the name up.
     */
    private static int nextField(JsonParser p, SerializedString[] names, int expected) throws IOException {
        if (expected < names.length && p.nextFieldName(names[expected])) return expected;
        if (expected >= names.length) p.nextToken();
        JsonToken t = p.currentToken();
        if (t != JsonToken.FIELD_NAME) return -1;
        String name = p.currentName();
        for (int i = 0; i < names.length; i++) {
            if (names[i].getValue().equals(name)) return i;
        }
        throw NOT_COMMON;
    }

    private static void expect(boolean ok) throws NotCommon {
        if (!ok) throw NOT_COMMON;
    }

    private static int integer(JsonParser p) throws IOException {
        expect(p.currentToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT);
        return p.getIntValue();
    }

    private static long longValue(JsonParser p) throws IOException {
        expect(p.currentToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER);
        return p.getLongValue();
    }

    private static String string(JsonParser p) throws IOException {
        expect(p.currentToken() == JsonToken.VALUE_STRING);
        return p.getText();
    }

    /** A double as the codec writes it: a number, or one of the strings it writes for NaN and ±Infinity. */
    private static double number(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) return p.getDoubleValue();
        expect(t == JsonToken.VALUE_STRING);
        return switch (p.getText()) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> throw NOT_COMMON;
        };
    }

    private static Double nullableNumber(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : number(p);
    }

    private static Long nullableLong(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : longValue(p);
    }

    private static long[] longs(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return null;
        expect(p.currentToken() == JsonToken.START_ARRAY);
        long[] v = new long[16];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (n == v.length) v = java.util.Arrays.copyOf(v, 2 * n);
            v[n++] = longValue(p);
        }
        return java.util.Arrays.copyOf(v, n);
    }

    private static double[] numbers(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return null;
        expect(p.currentToken() == JsonToken.START_ARRAY);
        double[] v = new double[16];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (n == v.length) v = java.util.Arrays.copyOf(v, 2 * n);
            v[n++] = number(p);
        }
        return java.util.Arrays.copyOf(v, n);
    }
}
