package dev.gradwatch.monitor.job.wire;

import dev.gradwatch.events.GradHistogram;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.ingest.RawRecord;
import dev.gradwatch.monitor.ingest.StatsEnvelope;
import dev.gradwatch.monitor.job.StepNorms;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written serializers give back what they were given, every field of it. */
class WireSerializersTest {

    private static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        // and once more through copy(in, out), as Flink does when it forwards serialized records
        DataOutputSerializer copied = new DataOutputSerializer(256);
        serializer.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertArrayEquals(out.getCopyOfBuffer(), copied.getCopyOfBuffer());
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        T back = serializer.deserialize(in);
        assertEquals(0, in.available(), "every byte read");
        return back;
    }

    static StepStats fullStep() {
        long[] histogram = new long[GradHistogram.BUCKETS];
        for (int i = 0; i < histogram.length; i++) histogram[i] = i * 3L;
        LayerStats full = new LayerStats(0, "lstm0", "lstm", 4160, 1.5, 0.02, 0.4, 3, 0.01, 8.0, 1e-3,
                1L, 1L, 1L, 0.3, histogram, 0.1, 0.9, 0.2, 0.05, new double[]{1.0, 0.5, Double.NaN});
        LayerStats bare = new LayerStats(1, "dense1", "dense/relu", 10, Double.NaN, 0, 0, 7, 0, 2, 0);
        LayerStats some = new LayerStats(2, "dense2", "dense/tanh", 10, Double.POSITIVE_INFINITY, 0, 0, 0, 0, 2, 0,
                null, 4L, null, null, null, null, 0.7, 1.0, null, null);
        return new StepStats(1, "run/ä", "w0", 42, 1_700_000_000_000L, Double.NaN, 0.01, Double.POSITIVE_INFINITY,
                List.of(full, bare, some));
    }

    @Test
    void stepStatsComeBackEqualWithEveryOptionalLayerFieldPresentOrAbsent() throws Exception {
        StepStats s = fullStep();
        StepStats back = roundTrip(StepStatsSerializer.INSTANCE, s);
        assertEquals(s, back);
        assertEquals(s.schemaVersion(), back.schemaVersion());
        assertNull(back.layers().get(1).gradStd());
    }

    @Test
    void labelsAndTheEndOfRunMarkerComeBack() throws Exception {
        StepStats full = fullStep();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("team", "vision");
        labels.put("exp.id", "ä-42");
        StepStats end = StepStats.endOfRun(full.runId(), full.workerId(), 43, full.timestampMs(), full.loss(),
                full.learningRate(), full.clipNorm(), full.layers(), labels);
        StepStats back = roundTrip(StepStatsSerializer.INSTANCE, end);
        assertEquals(end, back);
        assertEquals(labels, back.labels());
        assertTrue(back.endsRun());
        assertFalse(roundTrip(StepStatsSerializer.INSTANCE, full).endsRun());

        StepNorms norms = roundTrip(StepNormsSerializer.INSTANCE, StepNorms.of(end));
        assertEquals(labels, norms.labels());
        assertTrue(norms.endOfRun());
        assertFalse(roundTrip(StepNormsSerializer.INSTANCE, StepNorms.of(full)).endOfRun());
    }

    @Test
    void theStepStatsSerializerWritesEveryComponentOfTheRecords() {
        // a field added to StepStats or LayerStats must be written here too: this count says it was looked at
        assertEquals(11, StepStats.class.getRecordComponents().length,
                Arrays.toString(StepStats.class.getRecordComponents()));
        assertEquals(21, LayerStats.class.getRecordComponents().length,
                Arrays.toString(LayerStats.class.getRecordComponents()));
    }

    @Test
    void envelopesCarryTheRawBytesOrTheDecodedStep() throws Exception {
        RawRecord raw = new RawRecord("stats", 1, 77, 123, "r/w".getBytes(StandardCharsets.UTF_8), new byte[]{1, 2, 3});
        StatsEnvelope e = roundTrip(StatsEnvelopeSerializer.INSTANCE, new StatsEnvelope("r", "w", raw, null));
        assertEquals("r", e.runId());
        assertEquals("w", e.workerId());
        assertEquals(raw.topic(), e.raw().topic());
        assertEquals(raw.partition(), e.raw().partition());
        assertEquals(raw.offset(), e.raw().offset());
        assertEquals(raw.timestampMs(), e.raw().timestampMs());
        assertArrayEquals(raw.key(), e.raw().key());
        assertArrayEquals(raw.value(), e.raw().value());

        StatsEnvelope tombstone = roundTrip(StatsEnvelopeSerializer.INSTANCE,
                new StatsEnvelope("r", "w", new RawRecord("stats", 0, 1, 2, null, null), null));
        assertNull(tombstone.raw().key());
        assertNull(tombstone.raw().value());

        StepStats s = fullStep();
        assertEquals(s, roundTrip(StatsEnvelopeSerializer.INSTANCE, StatsEnvelope.decoded(s)).stats());
    }

    @Test
    void stepNormsKeepEachLayersIdentityAndNorm() throws Exception {
        StepNorms n = StepNorms.of(fullStep());
        StepNorms back = roundTrip(StepNormsSerializer.INSTANCE, n);
        assertEquals(n.runId(), back.runId());
        assertEquals(n.workerId(), back.workerId());
        assertEquals(n.step(), back.step());
        assertEquals(n.timestampMs(), back.timestampMs());
        assertArrayEquals(n.layerIndex(), back.layerIndex());
        assertArrayEquals(n.layerName(), back.layerName());
        assertArrayEquals(n.layerKind(), back.layerKind());
        assertArrayEquals(n.gradL2(), back.gradL2());
    }

    @Test
    void onlyAKeyWithExactlyOneSlashBetweenTwoNamesRoutesARecordUndecoded() {
        assertEquals(List.of("run-1", "w0"), route("run-1/w0"));
        assertNull(route(null));
        assertNull(route("run-1"));
        assertNull(route("/w0"));
        assertNull(route("run-1/"));
        assertNull(route("exp/run-1/w0"));
    }

    private static List<String> route(String key) {
        StatsEnvelope e = StatsEnvelope.ofKey(new RawRecord("t", 0, 0, 0,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), new byte[0]));
        return e == null ? null : List.of(e.runId(), e.workerId());
    }
}
