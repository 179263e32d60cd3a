package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.MonitorConfig;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stall watch on processing time that the harness advances: no record needs to arrive for it to fire. */
class StallWatchHarnessTest {

    private static final long STALL_MS = 60_000;
    private static final long IDLE_MS = 30 * 60_000;

    private static KeyedOneInputStreamOperatorTestHarness<WorkerKey, StepStats, Alert> harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new StallWatchFunction(STALL_MS, IDLE_MS)),
                new WorkerKey.OfStats(), WorkerKey.TYPE);
    }

    @Test
    void alertsAStalledWorkerWithoutAnyFurtherInputAndResolvesWhenItReportsAgain() throws Exception {
        try (var h = harness()) {
            h.open();
            List<StepStats> a = StatsFixtures.healthy("run-a", "w0", 20);
            List<StepStats> b = StatsFixtures.healthy("run-b", "w0", 400);
            h.setProcessingTime(0);
            for (int s = 0; s < 10; s++) h.processElement(new StreamRecord<>(a.get(s)));
            // run-b keeps reporting every 10 s; run-a falls silent after step 9 at t=0
            for (int i = 0; i < 6; i++) {
                h.setProcessingTime(i * 10_000L);
                h.processElement(new StreamRecord<>(b.get(i)));
            }
            assertTrue(h.extractOutputValues().isEmpty());
            h.setProcessingTime(STALL_MS - 1);
            assertTrue(h.extractOutputValues().isEmpty(), "not yet");
            h.setProcessingTime(STALL_MS);
            List<Alert> out = h.extractOutputValues();
            assertEquals(1, out.size(), out.toString());
            Alert stalled = out.get(0);
            assertEquals("stalled_worker", stalled.rule());
            assertEquals(Alert.FIRING, stalled.status());
            assertEquals("run-a", stalled.runId());
            assertEquals(9, stalled.step());
            assertEquals(60.0, stalled.evidence().get("silentSeconds"));

            h.setProcessingTime(STALL_MS + 5 * 60_000);
            h.processElement(new StreamRecord<>(b.get(7)));
            // run-b was silent from t=50 s to t=360 s too: it fired, then resolves on this report
            out = h.extractOutputValues();
            assertEquals(List.of("run-a:firing", "run-b:firing", "run-b:resolved"),
                    out.stream().map(x -> x.runId() + ":" + x.status()).toList());

            h.processElement(new StreamRecord<>(a.get(10)));
            Alert back = h.extractOutputValues().get(3);
            assertEquals(Alert.RESOLVED, back.status());
            assertEquals("run-a", back.runId());
            assertEquals(10, back.step());
            assertEquals(360.0, back.evidence().get("silentSeconds"));
        }
    }

    @Test
    void forgetsAStalledWorkerAtTheIdleTimeoutAfterAnnouncingIt() throws Exception {
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(1_000);
            for (StepStats s : StatsFixtures.healthy("run-ended", "w0", 5)) h.processElement(new StreamRecord<>(s));
            assertEquals(1, h.numProcessingTimeTimers(), "one timer per key, not one per record");
            h.setProcessingTime(1_000 + STALL_MS);
            assertEquals(1, h.extractOutputValues().size(), "announced");
            assertEquals(1, h.numProcessingTimeTimers(), "the clean-up timer");
            assertTrue(KeyedStateCleanupTest.entries(h) > 0);
            h.setProcessingTime(1_000 + IDLE_MS);
            assertEquals(0, KeyedStateCleanupTest.entries(h));
            assertEquals(0, h.numProcessingTimeTimers());
            assertEquals(1, h.extractOutputValues().size(), "nothing more");
        }
    }

    @Test
    void aBusyWorkerKeepsOneTimerAndNeverStalls() throws Exception {
        try (var h = harness()) {
            h.open();
            List<StepStats> steps = StatsFixtures.healthy("run-busy", "w0", 300);
            for (int i = 0; i < 300; i++) {
                h.setProcessingTime(i * 1_000L);
                h.processElement(new StreamRecord<>(steps.get(i)));
                assertEquals(1, h.numProcessingTimeTimers());
            }
            assertTrue(h.extractOutputValues().isEmpty());
        }
    }

    @Test
    void theStallTimeoutMustBeShorterThanTheIdleCleanUp() {
        var e = assertThrows(IllegalArgumentException.class, () -> MonitorConfig.fromMap(
                Map.of("stall.timeout.ms", "600000", "state.idle-timeout.ms", "300000")));
        assertTrue(e.getMessage().contains("stall.timeout.ms"), e.getMessage());
        assertEquals(60_000, MonitorConfig.defaults().stallTimeoutMs());
        assertThrows(IllegalArgumentException.class, () -> new StallWatchFunction(60_000, 60_000));
    }
}
