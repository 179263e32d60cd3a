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
            // full 17-digit doubles over many magnitudes, where parsers are most likely to differ
            double v = Double.longBitsToDouble(rng.nextLong() & 0x7fefffffffffffffL);
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
}
