package dev.gradwatch.monitor.ingest;

import com.fasterxml.jackson.core.io.NumberInput;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@link StepStats} straight from the bytes in exactly the form the codec writes them, which
 * is what every GradWatch trainer sends: compact (no whitespace), fields in component order with the
 * absent optional ones left out, ASCII strings without escapes, numbers in JSON's grammar, NaN and
 * ±Infinity as the strings the codec writes. Anything else gives null and the record goes on to
 * {@link StepStatsReader} and then to data binding, which decide; so, like that reader, this one can
 * only be faster, never different. Numbers are converted by Jackson's bundled FastDoubleParser, as
 * on the other paths.
 *
 * <p>Jackson's streaming parser tokenizes every value into a character buffer and matches every
 * field name through its own state machine before the value can be converted; here a field name is
 * one comparison of bytes against the name expected next, and a number is scanned once.
 */
final class CompactStepReader {

    /** Thrown, without a stack trace, when the record is not in the codec's exact form. */
    private static final class NotCompact extends RuntimeException {
        NotCompact() {
            super("not the codec's compact form", null, false, false);
        }
    }

    private static final NotCompact NOT_COMPACT = new NotCompact();

    /** {@code "name":} as bytes, in the order the codec writes the fields. */
    private static final byte[][] STEP_NAMES = names("schemaVersion", "runId", "workerId", "step", "timestampMs",
            "loss", "learningRate", "clipNorm", "layers", "labels", "endOfRun");
    private static final byte[][] LAYER_NAMES = names("index", "name", "kind", "paramCount", "gradL2", "gradMeanAbs",
            "gradMaxAbs", "nonFiniteCount", "zeroFraction", "weightL2", "updateRatio", "nanCount", "posInfCount",
            "negInfCount", "gradStd", "gradHistogram", "activationMean", "activationStd", "saturatedFraction",
            "deadFraction", "timeStepGradNorms");
    /** Longest integer read here; longer ones (or out of range) go to the other paths. */
    private static final int MAX_INTEGER_DIGITS = 18;

    private final byte[] b;
    private int i;
    /** The digits of the number being converted. */
    private char[] digits = new char[32];

    private CompactStepReader(byte[] json) {
        this.b = json;
    }

    /** The step, or null when the record is not in the codec's exact form (the caller then reads it otherwise). */
    static StepStats read(byte[] json) {
        try {
            CompactStepReader r = new CompactStepReader(json);
            StepStats s = r.step();
            return r.i == json.length ? s : null;
        } catch (RuntimeException e) {
            // not the compact form, the input ended early, or a record constructor refused a value:
            // the other paths decide, and name the problem
            return null;
        }
    }

    private static byte[][] names(String... names) {
        byte[][] out = new byte[names.length][];
        for (int k = 0; k < names.length; k++) out[k] = ("\"" + names[k] + "\":").getBytes(StandardCharsets.US_ASCII);
        return out;
    }

    private StepStats step() {
        expect('{');
        RecordFields.Step f = new RecordFields.Step();
        int k = -1;
        do {
            k = field(STEP_NAMES, k + 1);
            switch (k) {
                case 0 -> f.version = integer();
                case 1 -> f.runId = string();
                case 2 -> f.workerId = string();
                case 3 -> f.step = longValue();
                case 4 -> f.timestampMs = longValue();
                case 5 -> f.loss = number();
                case 6 -> f.learningRate = number();
                case 7 -> f.clipNorm = number();
                case 8 -> f.layers = layers();
                case 9 -> f.labels = labels();
                default -> f.endOfRun = bool();
            }
            f.mark(k);
        } while (b[i++] == ',');
        check(b[i - 1] == '}' && f.complete());
        return f.build();
    }

    private List<LayerStats> layers() {
        expect('[');
        List<LayerStats> layers = new ArrayList<>();
        if (b[i] == ']') {
            i++;
            return layers;
        }
        do {
            layers.add(layer());
        } while (b[i++] == ',');
        check(b[i - 1] == ']');
        return layers;
    }

    private LayerStats layer() {
        expect('{');
        RecordFields.Layer f = new RecordFields.Layer();
        int k = -1;
        do {
            k = field(LAYER_NAMES, k + 1);
            switch (k) {
                case 0 -> f.index = integer();
                case 1 -> f.name = string();
                case 2 -> f.kind = string();
                case 3 -> f.paramCount = longValue();
                case 4 -> f.gradL2 = number();
                case 5 -> f.gradMeanAbs = number();
                case 6 -> f.gradMaxAbs = number();
                case 7 -> f.nonFiniteCount = longValue();
                case 8 -> f.zeroFraction = number();
                case 9 -> f.weightL2 = number();
                case 10 -> f.updateRatio = number();
                case 11 -> f.nanCount = longValue();
                case 12 -> f.posInfCount = longValue();
                case 13 -> f.negInfCount = longValue();
                case 14 -> f.gradStd = number();
                case 15 -> f.gradHistogram = longs();
                case 16 -> f.activationMean = number();
                case 17 -> f.activationStd = number();
                case 18 -> f.saturatedFraction = number();
                case 19 -> f.deadFraction = number();
                default -> f.timeStepGradNorms = numbers();
            }
            // fields only move forward here, so none can come twice
            f.mark(k);
        } while (b[i++] == ',');
        check(b[i - 1] == '}' && f.complete());
        return f.build();
    }

    /**
     * Consumes {@code "name":} of the next field and returns its position in {@code names}, trying
     * {@code from} first and then the later names (the codec leaves absent optional fields out). A
     * name that is not among them (unknown, out of order, repeated) is not the compact form.
     */
    private int field(byte[][] names, int from) {
        for (int k = from; k < names.length; k++) {
            byte[] name = names[k];
            if (Arrays.equals(b, i, i + name.length, name, 0, name.length)) {
                i += name.length;
                return k;
            }
        }
        throw NOT_COMPACT;
    }

    /** The run's labels, an object of strings (the record's constructor checks their number and spelling). */
    private Map<String, String> labels() {
        expect('{');
        Map<String, String> labels = new LinkedHashMap<>();
        if (b[i] == '}') {
            i++;
            return labels;
        }
        do {
            String key = string();
            expect(':');
            check(labels.put(key, string()) == null);
        } while (b[i++] == ',');
        check(b[i - 1] == '}');
        return labels;
    }

    private Boolean bool() {
        if (literal("true")) return Boolean.TRUE;
        check(literal("false"));
        return Boolean.FALSE;
    }

    /** An ASCII string without escapes or control characters; anything else is left to the other paths. */
    private String string() {
        expect('"');
        int start = i;
        byte c;
        while ((c = b[i]) != '"') {
            // a backslash, a control character or a byte of a multi-byte character (negative as a byte)
            check(c >= 0x20 && c != '\\');
            i++;
        }
        String s = new String(b, start, i - start, StandardCharsets.ISO_8859_1);
        i++;
        return s;
    }

    /** An integer in int range, as Jackson's INT number type. */
    private int integer() {
        long v = longValue();
        check(v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE);
        return (int) v;
    }

    /** An integer token of at most {@link #MAX_INTEGER_DIGITS} digits. */
    private long longValue() {
        boolean negative = b[i] == '-';
        if (negative) i++;
        int start = i;
        long v = 0;
        if (b[i] == '0') {
            i++;
        } else {
            while (isDigit(b[i])) v = 10 * v + (b[i++] - '0');
        }
        int n = i - start;
        check(n >= 1 && n <= MAX_INTEGER_DIGITS && b[i] != '.' && b[i] != 'e' && b[i] != 'E');
        return negative ? -v : v;
    }

    /** A double as the codec writes it: a JSON number, or one of the strings it writes for NaN and ±Infinity. */
    private double number() {
        if (b[i] == '"') {
            if (literal("\"NaN\"")) return Double.NaN;
            if (literal("\"Infinity\"")) return Double.POSITIVE_INFINITY;
            check(literal("\"-Infinity\""));
            return Double.NEGATIVE_INFINITY;
        }
        int start = i;
        // JSON's grammar, which Jackson enforces: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
        if (b[i] == '-') i++;
        if (b[i] == '0') {
            i++;
        } else {
            check(b[i] >= '1' && b[i] <= '9');
            while (isDigit(b[i])) i++;
        }
        if (b[i] == '.') {
            i++;
            digitsFollow();
        }
        if (b[i] == 'e' || b[i] == 'E') {
            i++;
            if (b[i] == '+' || b[i] == '-') i++;
            digitsFollow();
        }
        int n = i - start;
        if (digits.length < n) digits = new char[n];
        for (int k = 0; k < n; k++) digits[k] = (char) b[start + k];
        return NumberInput.parseDouble(digits, 0, n, true);
    }

    private void digitsFollow() {
        check(isDigit(b[i]));
        while (isDigit(b[i])) i++;
    }

    private long[] longs() {
        expect('[');
        long[] v = new long[16];
        int n = 0;
        if (b[i] != ']') {
            do {
                if (n == v.length) v = Arrays.copyOf(v, 2 * n);
                v[n++] = longValue();
            } while (b[i++] == ',');
            check(b[i - 1] == ']');
        } else {
            i++;
        }
        return Arrays.copyOf(v, n);
    }

    private double[] numbers() {
        expect('[');
        double[] v = new double[16];
        int n = 0;
        if (b[i] != ']') {
            do {
                if (n == v.length) v = Arrays.copyOf(v, 2 * n);
                v[n++] = number();
            } while (b[i++] == ',');
            check(b[i - 1] == ']');
        } else {
            i++;
        }
        return Arrays.copyOf(v, n);
    }

    /** Consumes {@code text} (ASCII) when the input continues with it. */
    private boolean literal(String text) {
        int n = text.length();
        if (i + n > b.length) return false;
        for (int k = 0; k < n; k++) {
            if (b[i + k] != text.charAt(k)) return false;
        }
        i += n;
        return true;
    }

    private void expect(char c) {
        check(b[i++] == c);
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static void check(boolean ok) {
        if (!ok) throw NOT_COMPACT;
    }
}
