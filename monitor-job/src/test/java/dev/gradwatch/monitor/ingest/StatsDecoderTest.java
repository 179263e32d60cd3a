package dev.gradwatch.monitor.ingest;

import dev.gradwatch.events.DeadLetter;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatsDecoderTest {

    private static final String GOOD = EventCodec.encodeToString(
            StatsFixtures.step("run-1", "w0", 3, 0.5, "dense/relu", 0.1, 0.2));

    private static RawRecord raw(byte[] value) {
        return new RawRecord("gradient-stats", 1, 42, 1234, null, value);
    }

    private static RawRecord raw(String value) {
        return raw(value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void decodesAGoodRecord() {
        StatsDecoder.Result r = StatsDecoder.decode(raw(GOOD));
        assertTrue(r.ok());
        assertEquals(3, r.stats().step());
        assertNull(r.deadLetter());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "malformed JSON      | {not json",
        "truncated           | TRUNCATED",
        "wrong-typed step    | WRONG_TYPE",
        "negative step       | NEGATIVE_STEP",
        "unknown version     | BAD_VERSION",
        "JSON of a number    | 42",
        "duplicate layer     | DUPLICATE_LAYER",
    })
    void turnsWhatCannotBeUsedIntoADeadLetterWithTheReason(String what, String payload) {
        String value = switch (payload) {
            case "TRUNCATED" -> GOOD.substring(0, GOOD.length() / 2);
            case "WRONG_TYPE" -> GOOD.replace("\"step\":3", "\"step\":\"3\"");
            case "NEGATIVE_STEP" -> GOOD.replace("\"step\":3", "\"step\":-3");
            case "BAD_VERSION" -> GOOD.replace("\"schemaVersion\":" + StepStats.CURRENT_VERSION, "\"schemaVersion\":99");
            case "DUPLICATE_LAYER" -> GOOD.replace("\"index\":1", "\"index\":0");
            default -> payload;
        };
        assertFalse(value.equals(GOOD), "fixture did not change the record");
        StatsDecoder.Result r = StatsDecoder.decode(raw(value));
        assertFalse(r.ok());
        DeadLetter d = r.deadLetter();
        assertFalse(d.reason().isBlank());
        assertEquals("gradient-stats", d.sourceTopic());
        assertEquals(1, d.partition());
        assertEquals(42, d.offset());
        assertEquals(value, d.payload());
    }

    @Test
    void aNullValueIsADeadLetterToo() {
        StatsDecoder.Result r = StatsDecoder.decode(raw((byte[]) null));
        assertFalse(r.ok());
        assertTrue(r.deadLetter().reason().contains("null"), r.deadLetter().reason());
    }

    @Test
    void bytesThatAreNotUtf8StillMakeADeadLetter() {
        StatsDecoder.Result r = StatsDecoder.decode(raw(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1}));
        assertFalse(r.ok());
        assertFalse(r.deadLetter().reason().isBlank());
    }

    @Test
    void theFastDoubleParserReadsEveryDoubleAsTheCodecDoes() throws Exception {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
        for (int i = 0; i < 200; i++) {
            // full 17-digit doubles of either sign over every exponent (subnormals too), where parsers are most
            // likely to differ; a mask of the bits would leave out the negatives and every odd exponent
            double v;
            do {
                v = Double.longBitsToDouble(rng.nextLong());
            } while (!Double.isFinite(v));
            double small = rng.nextDouble() * Math.pow(10, rng.nextInt(-300, 300));
            StepStats s = StatsFixtures.step("run-1", "w0", i, v, "dense/relu", small, 1 / (small + 1));
            byte[] bytes = EventCodec.encode(s);
            assertEquals(EventCodec.decode(bytes, StepStats.class), StatsDecoder.decode(raw(bytes)).stats());
        }
        // the non-finite spellings: strings from our writer, bare tokens from Python's json module
        String special = GOOD.replaceFirst("\"loss\":[^,]+", "\"loss\":NaN")
                .replaceFirst("\"learningRate\":[^,]+", "\"learningRate\":\"Infinity\"")
                .replaceFirst("\"clipNorm\":[^,]+", "\"clipNorm\":-Infinity");
        StepStats decoded = StatsDecoder.decode(raw(special)).stats();
        assertEquals(EventCodec.decode(special, StepStats.class), decoded);
        assertTrue(Double.isNaN(decoded.loss()));
        assertEquals(Double.POSITIVE_INFINITY, decoded.learningRate());
        assertEquals(Double.NEGATIVE_INFINITY, decoded.clipNorm());
    }

    private static final com.fasterxml.jackson.databind.ObjectReader READER = EventCodec.mapper()
            .readerFor(StepStats.class);

    /** A step with every optional layer field set, some to NaN and ±Infinity. */
    private static StepStats everyField() {
        long[] histogram = new long[dev.gradwatch.events.GradHistogram.BUCKETS];
        for (int i = 0; i < histogram.length; i++) histogram[i] = 1L << (i % 40);
        var full = new dev.gradwatch.events.LayerStats(0, "lstm0", "lstm", 4160, 1.2345678901234567, 0.02, 0.4, 3,
                0.01, 8.0, 1e-3, 1L, 1L, 1L, 0.3, histogram, -0.1, 0.9, 0.2, 0.05,
                new double[]{1.0, Double.NaN, Double.POSITIVE_INFINITY, 4e-300});
        var bare = new dev.gradwatch.events.LayerStats(1, "dense1", "dense/relu", 10, Double.NaN, 0, 0, 7, 0, 2, 0);
        return new StepStats(2, "run-ä/1", "w0", 42, 1_700_000_000_000L, Double.NaN, 0.01,
                Double.NEGATIVE_INFINITY, java.util.List.of(full, bare));
    }

    @Test
    void theStreamingReaderReadsTheCommonShapeItselfAndAgreesWithTheCodec() throws Exception {
        for (StepStats s : java.util.List.of(everyField(), StatsFixtures.step("run-1", "w0", 3, 0.5, "dense/relu", 0.1, 0.2),
                new StepStats("r", "w", 0, 0, 1, 1, 1, java.util.List.of()),
                new StepStats("r", "w", 5, 0, 1, 1, 1, everyField().layers(), java.util.Map.of("team", "vision", "exp", "ä")),
                StepStats.endOfRun("r", "w", 6, 0, 1, 1, 1, everyField().layers(), java.util.Map.of("team", "nlp")))) {
            byte[] json = EventCodec.encode(s);
            StepStats streamed = StepStatsReader.read(READER, json);
            assertNotNull(streamed, "read by the streaming reader: " + new String(json, StandardCharsets.UTF_8));
            assertEquals(EventCodec.decode(json, StepStats.class), streamed, new String(json, StandardCharsets.UTF_8));
            assertEquals(s, streamed);
        }
    }

    @Test
    void theStreamingReaderKnowsEveryComponentOfTheRecords() {
        // a field added to StepStats or LayerStats must be read there too (until then such records are bound)
        assertEquals(StepStatsReader.STEP_FIELDS, StepStats.class.getRecordComponents().length);
        assertEquals(StepStatsReader.LAYER_FIELDS, dev.gradwatch.events.LayerStats.class.getRecordComponents().length);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "an unknown field|\"step\":3,|\"step\":3,\"tags\":{\"a\":\"b\"},",
            "labels out of order|\"step\":3,|\"step\":3,\"labels\":{\"a\":\"b\"},",
            "a label key with a slash|\"step\":3,|\"step\":3,\"labels\":{\"a/b\":\"c\"},",
            "a number as a label value|\"step\":3,|\"step\":3,\"labels\":{\"a\":1},",
            "endOfRun as a string|\"step\":3,|\"step\":3,\"endOfRun\":\"yes\",",
            "a field twice|\"step\":3,|\"step\":3,\"step\":4,",
            "a step written as a float|\"step\":3,|\"step\":3.0,",
            "a step as a string|\"step\":3,|\"step\":\"3\",",
            "a null loss|\"loss\":0.5,|\"loss\":null,",
            "a missing loss|\"loss\":0.5,|''",
            "a loss spelled INF|\"loss\":0.5,|\"loss\":\"INF\",",
            "a bare NaN loss|\"loss\":0.5,|\"loss\":NaN,",
            "an integer loss|\"loss\":0.5,|\"loss\":1,",
            "a huge step|\"step\":3,|\"step\":123456789012345678901234567890,",
            "a null layer list|\"layers\":[|\"layers\":null,\"x\":[",
            "a negative step|\"step\":3,|\"step\":-3,",
    })
    void recordsOfAnyOtherShapeGetTheCodecsVerdict(String what, String from, String to) throws Exception {
        String json = GOOD.replace(from, to == null ? "" : to);
        assertTrue(!json.equals(GOOD), what);
        StatsDecoder.Result r = StatsDecoder.decode(raw(json));
        try {
            StepStats expected = EventCodec.decode(json, StepStats.class);
            assertEquals(expected, r.stats(), what);
        } catch (dev.gradwatch.events.DecodeException e) {
            assertFalse(r.ok(), what);
            assertEquals(e.getMessage(), r.deadLetter().reason(), what);
        }
    }

    @Test
    void aDuplicateLayerIndexIsRefusedBelowAndAbove64() {
        for (int index : new int[]{0, 63, 64, 1000}) {
            var layers = java.util.List.of(StatsFixtures.layer(index, "dense/relu", 1.0), StatsFixtures.layer(5, "dense/relu", 1.0),
                    StatsFixtures.layer(index, "dense/relu", 2.0));
            String problem = StatsDecoder.problem(new StepStats("r", "w", 1, 0, 1, 1, 1, layers));
            assertEquals("invalid StepStats: duplicate layer index " + index, problem);
        }
        assertNull(StatsDecoder.problem(new StepStats("r", "w", 1, 0, 1, 1, 1, java.util.List.of(
                StatsFixtures.layer(3, "dense/relu", 1.0), StatsFixtures.layer(67, "dense/relu", 1.0)))));
    }

    @Test
    void theCompactReaderReadsWhatTheCodecWritesAndAgreesWithTheCodec() throws Exception {
        for (StepStats s : java.util.List.of(StatsFixtures.step("run-1", "w0", 3, 0.5, "dense/relu", 0.1, 0.2),
                new StepStats("r", "w", 0, 0, 1, 1, 1, java.util.List.of()),
                new StepStats("r", "w", 5, 0, 1, 1, 1, everyFieldAscii().layers(), java.util.Map.of("team", "vision")),
                everyFieldAscii(),
                StepStats.endOfRun("r", "w", 6, 0, 1, 1, 1, everyFieldAscii().layers(), java.util.Map.of("team", "nlp")))) {
            byte[] json = EventCodec.encode(s);
            StepStats compact = CompactStepReader.read(json);
            assertNotNull(compact, "read by the compact reader: " + new String(json, StandardCharsets.UTF_8));
            assertEquals(EventCodec.decode(json, StepStats.class), compact, new String(json, StandardCharsets.UTF_8));
            assertEquals(s, compact);
        }
        // escapes and characters outside ASCII are left to the other readers, which agree with the codec
        byte[] unicode = EventCodec.encode(everyField());
        assertNull(CompactStepReader.read(unicode));
        assertEquals(everyField(), StatsDecoder.decode(raw(unicode)).stats());
    }

    private static StepStats everyFieldAscii() {
        StepStats s = everyField();
        return new StepStats(s.schemaVersion(), "run-a/1", s.workerId(), s.step(), s.timestampMs(), s.loss(),
                s.learningRate(), s.clipNorm(), s.layers());
    }

    /**
     * Every reader must come to the codec's verdict: records the codec writes, then the same bytes
     * mangled at random (a byte dropped, doubled, replaced by a JSON-ish character, or a token
     * spliced in). The decoded step, or the dead letter's reason, must be the codec's.
     */
    @Test
    void mangledRecordsGetTheCodecsVerdictWhicheverReaderTakesThem() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        byte[][] bases = {EventCodec.encode(everyFieldAscii()), GOOD.getBytes(StandardCharsets.UTF_8),
                EventCodec.encode(StepStats.endOfRun("r", "w", 6, 0, 1, 1, 1, everyFieldAscii().layers(),
                        java.util.Map.of("team", "nlp")))};
        String alphabet = "{}[],:\"0123456789.eE+-aluNIn \\tfrs";
        String[] tokens = {"null", "true", "NaN", "\"NaN\"", "1e400", "-0", "00", "1.", ".5", "\"x\":1,", "9999999999999999999",
                "\"\\u0041\"", "\"ä\"", "1E+2", "[]", "{}"};
        int compact = 0;
        int bound = 0;
        int refused = 0;
        for (int trial = 0; trial < 20000; trial++) {
            byte[] base = bases[rng.nextInt(bases.length)];
            StringBuilder json = new StringBuilder(new String(base, StandardCharsets.UTF_8));
            int at = rng.nextInt(json.length());
            switch (rng.nextInt(4)) {
                case 0 -> json.deleteCharAt(at);
                case 1 -> json.insert(at, json.charAt(at));
                case 2 -> json.setCharAt(at, alphabet.charAt(rng.nextInt(alphabet.length())));
                default -> json.insert(at, tokens[rng.nextInt(tokens.length)]);
            }
            byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
            StatsDecoder.Result r = StatsDecoder.decode(raw(bytes));
            StepStats expected;
            try {
                expected = EventCodec.decode(bytes, StepStats.class);
            } catch (dev.gradwatch.events.DecodeException e) {
                assertFalse(r.ok(), json::toString);
                assertEquals(e.getMessage(), r.deadLetter().reason(), json::toString);
                refused++;
                continue;
            }
            String problem = StatsDecoder.problem(expected);
            if (problem != null) {
                assertEquals(problem, r.deadLetter().reason(), json::toString);
                refused++;
                continue;
            }
            assertEquals(expected, r.stats(), json::toString);
            if (CompactStepReader.read(bytes) != null) compact++;
            else bound++;
        }
        // the trials must exercise every outcome: read compactly, read by the other paths, refused
        assertTrue(compact > 100 && bound > 100 && refused > 1000, compact + " compact, " + bound + " by the other paths, "
                + refused + " refused");
    }
}
