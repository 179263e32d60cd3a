package dev.gradwatch.events;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class EventCodecTest {

    private static LayerStats layer(int i, double norm) {
        return new LayerStats(i, "dense" + i, "dense/sigmoid", 100, norm, norm / 10, norm * 2, 0, 0.0, 3.0, 1e-3);
    }

    @Test
    void stepStatsRoundTripKeepsNaNAndInfinities() throws Exception {
        StepStats s = new StepStats("run-1", "w0", 42, 1_700_000_000_000L, Double.NaN, 0.01,
                Double.POSITIVE_INFINITY, List.of(layer(0, Double.NEGATIVE_INFINITY), layer(1, 0.5)));
        String json = EventCodec.encodeToString(s);
        assertTrue(json.contains("\"NaN\""), json);
        StepStats back = EventCodec.decode(json, StepStats.class);
        assertEquals(s, back);
        assertTrue(Double.isNaN(back.loss()));
        assertEquals(Double.POSITIVE_INFINITY, back.clipNorm());
        assertEquals(Double.NEGATIVE_INFINITY, back.layers().get(0).gradL2());
    }

    @Test
    void readsBareNonFiniteTokensAsPythonWritesThem() throws Exception {
        String json = new String(EventCodec.encode(new StepStats("r", "w", 1, 0, 1.0, 0.1, 1.0,
                List.of(layer(0, 1.0)))));
        json = json.replace("\"loss\":1.0", "\"loss\":NaN").replace("\"clipNorm\":1.0", "\"clipNorm\":Infinity");
        StepStats back = EventCodec.decode(json, StepStats.class);
        assertTrue(Double.isNaN(back.loss()));
        assertEquals(Double.POSITIVE_INFINITY, back.clipNorm());
    }

    @Test
    void alertAndCommandAndAckRoundTrip() throws Exception {
        Alert a = new Alert(1, "a-1", "fp", "exploding.nonfinite", Severity.CRITICAL, Alert.FIRING, "run", "w0",
                3, "dense3", 17, 5, "NaN in dense3", Map.of("gradL2", Double.NaN), "lower the learning rate");
        Alert aBack = EventCodec.decode(EventCodec.encode(a), Alert.class);
        assertEquals(a.alertId(), aBack.alertId());
        assertTrue(Double.isNaN(aBack.evidence().get("gradL2")));

        ControlCommand c = new ControlCommand(1, "c-1", "run", "*", ControlCommand.Type.SET_CLIP_NORM, 1.5,
                "exploding", 1, 10, 20, null, null);
        assertEquals(c, EventCodec.decode(EventCodec.encode(c), ControlCommand.class));
        assertTrue(c.addresses("run", "w7"));
        assertFalse(c.addresses("other", "w7"));

        ControlAck ack = new ControlAck(1, "c-1", "run", "w0", true, "clip norm 1.5", 18, 30);
        assertEquals(ack, EventCodec.decode(EventCodec.encode(ack), ControlAck.class));
    }

    @Test
    void rejectsMalformedTruncatedAndWrongTypedRecordsWithAReason() {
        String good = EventCodec.encodeToString(new StepStats("r", "w", 1, 0, 1.0, 0.1, 1.0, List.of(layer(0, 1))));
        DecodeException notJson = assertThrows(DecodeException.class, () -> EventCodec.decode("{oops", StepStats.class));
        assertTrue(notJson.getMessage().startsWith("not valid JSON"), notJson.getMessage());

        DecodeException truncated = assertThrows(DecodeException.class,
                () -> EventCodec.decode(good.substring(0, good.length() / 2), StepStats.class));
        assertNotNull(truncated.getMessage());

        DecodeException wrongType = assertThrows(DecodeException.class,
                () -> EventCodec.decode(good.replace("\"step\":1", "\"step\":\"one\""), StepStats.class));
        assertTrue(wrongType.getMessage().contains("$.step"), wrongType.getMessage());

        DecodeException missing = assertThrows(DecodeException.class,
                () -> EventCodec.decode(good.replace("\"runId\":\"r\",", ""), StepStats.class));
        assertTrue(missing.getMessage().contains("runId"), missing.getMessage());

        DecodeException badVersion = assertThrows(DecodeException.class,
                () -> EventCodec.decode(good.replace("\"schemaVersion\":" + StepStats.CURRENT_VERSION, "\"schemaVersion\":9"), StepStats.class));
        assertTrue(badVersion.getMessage().contains("schemaVersion"), badVersion.getMessage());

        assertThrows(DecodeException.class, () -> EventCodec.decode((byte[]) null, StepStats.class));
        assertThrows(DecodeException.class, () -> EventCodec.decode(good + "}", StepStats.class));
    }

    @Test
    void schemaNamesEveryFieldTheCodecWrites() throws Exception {
        JsonNode schema;
        try (InputStream in = getClass().getResourceAsStream("/schema/step-stats.schema.json")) {
            schema = EventCodec.mapper().readTree(in);
        }
        JsonNode written = EventCodec.mapper().readTree(EventCodec.encode(
                new StepStats("r", "w", 1, 0, 1.0, 0.1, 1.0, List.of(layer(0, 1)))));
        assertSameFields(schema, written);
        assertSameFields(schema.at("/$defs/layerStats"), written.get("layers").get(0));
    }

    private static void assertSameFields(JsonNode schema, JsonNode written) {
        for (Iterator<String> it = written.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            assertTrue(schema.get("properties").has(f), "field " + f + " is written but has no schema property");
        }
        for (JsonNode r : schema.get("required")) {
            assertTrue(written.has(r.asText()), "required field " + r.asText() + " is not written");
        }
    }

    private static LayerStats fullLayer() {
        long[] hist = new long[GradHistogram.BUCKETS];
        hist[GradHistogram.bucketOf(0.5)] = 7;
        hist[0] = 3;
        return new LayerStats(2, "lstm2", "lstm", 40, 0.5, 0.1, 0.9, 3, 0.3, 2.0, 1e-3,
                1L, 1L, 1L, 0.2, hist, 0.01, 0.9, 0.25, 0.0, new double[]{0.1, Double.NaN, 0.3});
    }

    @Test
    void version2FieldsRoundTripAndVersion1RecordsStillDecode() throws Exception {
        StepStats v2 = new StepStats("r", "w", 3, 0, 1.0, 0.1, 1.0, List.of(fullLayer()));
        StepStats back = EventCodec.decode(EventCodec.encode(v2), StepStats.class);
        assertEquals(v2, back);
        assertEquals(7, back.layers().get(0).gradHistogram()[GradHistogram.bucketOf(0.5)]);
        assertTrue(Double.isNaN(back.layers().get(0).timeStepGradNorms()[1]));
        // the schema describes the full record too
        JsonNode schema;
        try (InputStream in = getClass().getResourceAsStream("/schema/step-stats.schema.json")) {
            schema = EventCodec.mapper().readTree(in);
        }
        JsonNode fullWritten = EventCodec.mapper().readTree(EventCodec.encode(v2)).get("layers").get(0);
        assertSameFields(schema.at("/$defs/layerStats"), fullWritten);
        assertEquals(schema.at("/$defs/layerStats/properties").size(), fullWritten.size(),
                "a layer with every statistic writes exactly the schema's properties");

        String v1 = "{\"schemaVersion\":1,\"runId\":\"r\",\"workerId\":\"w\",\"step\":1,\"timestampMs\":0,"
                + "\"loss\":1.0,\"learningRate\":0.1,\"clipNorm\":\"Infinity\",\"layers\":[{\"index\":0,"
                + "\"name\":\"d0\",\"kind\":\"dense/relu\",\"paramCount\":4,\"gradL2\":0.5,\"gradMeanAbs\":0.1,"
                + "\"gradMaxAbs\":0.2,\"nonFiniteCount\":0,\"zeroFraction\":0.0,\"weightL2\":1.0,\"updateRatio\":0.001}]}";
        StepStats old = EventCodec.decode(v1, StepStats.class);
        assertNull(old.layers().get(0).gradHistogram());
        assertNull(old.layers().get(0).deadFraction());
        DecodeException missing = assertThrows(DecodeException.class,
                () -> EventCodec.decode(v1.replace("\"gradL2\":0.5,", ""), StepStats.class));
        assertTrue(missing.getMessage().contains("gradL2"), missing.getMessage());
        assertThrows(DecodeException.class, () -> EventCodec.decode(
                EventCodec.encodeToString(v2).replace("\"deadFraction\":0.0", "\"deadFraction\":1.5"), StepStats.class));
    }

    @Test
    void version3LabelsAndTheEndOfRunMarkerRoundTripAndTheSchemaNamesThem() throws Exception {
        StepStats labelled = new StepStats("r", "w", 3, 0, 1.0, 0.1, 1.0, List.of(layer(0, 1)),
                Map.of("team", "vision", "model.size", "7b"));
        StepStats back = EventCodec.decode(EventCodec.encode(labelled), StepStats.class);
        assertEquals(labelled, back);
        assertEquals("vision", back.labels().get("team"));
        assertFalse(back.endsRun());
        StepStats end = StepStats.endOfRun("r", "w", 400, 5, Double.NaN, 0.1, 2.5, Map.of("team", "vision"));
        String endJson = EventCodec.encodeToString(end);
        assertTrue(endJson.contains("\"endOfRun\":true"), endJson);
        StepStats endBack = EventCodec.decode(endJson, StepStats.class);
        assertTrue(endBack.endsRun());
        assertEquals(400, endBack.step());
        assertTrue(endBack.layers().isEmpty());

        // an ordinary step without labels writes neither field: a reader of version 2 sees nothing new
        String plain = EventCodec.encodeToString(new StepStats("r", "w", 1, 0, 1.0, 0.1, 1.0, List.of(layer(0, 1))));
        assertFalse(plain.contains("labels") || plain.contains("endOfRun"), plain);
        assertTrue(plain.contains("\"schemaVersion\":3"), plain);

        JsonNode schema;
        try (InputStream in = getClass().getResourceAsStream("/schema/step-stats.schema.json")) {
            schema = EventCodec.mapper().readTree(in);
        }
        assertSameFields(schema, EventCodec.mapper().readTree(EventCodec.encode(labelled)));
        assertSameFields(schema, EventCodec.mapper().readTree(endJson));
        assertEquals(schema.get("properties").size(), EventCodec.mapper().readTree(endJson).size(),
                "a labelled end-of-run marker writes exactly the schema's properties");
        assertEquals(StepStats.MAX_LABELS, schema.at("/properties/labels/maxProperties").asInt());
        assertEquals(StepStats.MAX_LABEL_KEY_LENGTH, schema.at("/properties/labels/propertyNames/maxLength").asInt());
        assertEquals(StepStats.MAX_LABEL_VALUE_LENGTH,
                schema.at("/properties/labels/additionalProperties/maxLength").asInt());
        assertEquals(StepStats.CURRENT_VERSION, schema.at("/properties/schemaVersion/enum").size());

        // a version-2 record still decodes, without labels
        String v2 = plain.replace("\"schemaVersion\":3", "\"schemaVersion\":2");
        StepStats old = EventCodec.decode(v2, StepStats.class);
        assertEquals(2, old.schemaVersion());
        assertTrue(old.labels().isEmpty());
    }

    @Test
    void labelsAreBoundedAndErrorsNameTheLabel() {
        String good = EventCodec.encodeToString(new StepStats("r", "w", 1, 0, 1.0, 0.1, 1.0, List.of(layer(0, 1)),
                Map.of("team", "vision")));
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= StepStats.MAX_LABELS; i++) many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        DecodeException tooMany = assertThrows(DecodeException.class,
                () -> EventCodec.decode(good.replace("\"team\":\"vision\"", many), StepStats.class));
        assertTrue(tooMany.getMessage().contains("labels: at most 16 labels, got 17"), tooMany.getMessage());

        DecodeException badKey = assertThrows(DecodeException.class,
                () -> EventCodec.decode(good.replace("\"team\"", "\"te am\""), StepStats.class));
        assertTrue(badKey.getMessage().contains("labels: key 'te am'"), badKey.getMessage());

        String longValue = "x".repeat(StepStats.MAX_LABEL_VALUE_LENGTH + 1);
        DecodeException tooLong = assertThrows(DecodeException.class,
                () -> EventCodec.decode(good.replace("\"vision\"", "\"" + longValue + "\""), StepStats.class));
        assertTrue(tooLong.getMessage().contains("labels.team: value must be at most 256 characters, got 257"),
                tooLong.getMessage());

        DecodeException notString = assertThrows(DecodeException.class,
                () -> EventCodec.decode(good.replace("\"vision\"", "{\"a\":1}"), StepStats.class));
        assertTrue(notString.getMessage().contains("labels"), notString.getMessage());

        // a marker may repeat the last step's layers
        StepStats markerWithLayers = assertDoesNotThrow(
                () -> EventCodec.decode(good.replace("\"labels\"", "\"endOfRun\":true,\"labels\""), StepStats.class));
        assertTrue(markerWithLayers.endsRun());
        assertEquals(1, markerWithLayers.layers().size());
        assertThrows(IllegalArgumentException.class, () -> new StepStats("r", "w", 1, 0, 1.0, 0.1, 1.0, List.of(),
                Map.of("", "v")));
    }

    @Test
    void histogramBucketsAreFixedPowersOfTwo() {
        assertEquals(0, GradHistogram.bucketOf(0.0));
        assertEquals(0, GradHistogram.bucketOf(1e-13));
        assertEquals(GradHistogram.BUCKETS - 1, GradHistogram.bucketOf(1e9));
        for (int b = 1; b < GradHistogram.BUCKETS - 1; b++) {
            double lo = GradHistogram.lowerEdge(b);
            assertEquals(b, GradHistogram.bucketOf(lo), "lower edge belongs to its bucket");
            assertEquals(b, GradHistogram.bucketOf(-lo), "sign is ignored");
            assertEquals(b - 1, GradHistogram.bucketOf(Math.nextDown(lo)), "just below goes to the bucket before");
            assertEquals(GradHistogram.upperEdge(b - 1), lo);
        }
    }
}
