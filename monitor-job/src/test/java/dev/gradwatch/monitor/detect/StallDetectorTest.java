package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.Alert;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StallDetectorTest {

    private static final long T0 = 1_000_000;
    private final StallDetector detector = new StallDetector(60_000);

    @Test
    void firesOnceTheWorkerIsSilentForTheTimeoutNamingTheLastStepAndTheSecondsSince() {
        StallState st = new StallState();
        assertTrue(detector.onReport(st, "r", "w0", 41, T0).isEmpty());
        assertTrue(detector.onReport(st, "r", "w0", 42, T0 + 1_000).isEmpty());
        assertTrue(detector.onCheck(st, "r", "w0", T0 + 60_999).isEmpty(), "59.999 s after the last report");
        Alert a = detector.onCheck(st, "r", "w0", T0 + 61_000).orElseThrow();
        assertEquals(Rules.STALLED_WORKER, a.rule());
        assertEquals(Alert.FIRING, a.status());
        assertEquals(42, a.step());
        assertEquals(42.0, a.evidence().get("lastStep"));
        assertEquals(60.0, a.evidence().get("silentSeconds"));
        assertEquals("stalled_worker:r:w0:*", a.fingerprint());
        assertTrue(a.summary().contains("last step was 42"), a.summary());
        assertTrue(detector.onCheck(st, "r", "w0", T0 + 120_000).isEmpty(), "announced once");
    }

    @Test
    void resolvesWhenTheWorkerReportsAgain() {
        StallState st = new StallState();
        detector.onReport(st, "r", "w0", 7, T0);
        detector.onCheck(st, "r", "w0", T0 + 90_000).orElseThrow();
        Alert r = detector.onReport(st, "r", "w0", 8, T0 + 95_000).orElseThrow();
        assertEquals(Alert.RESOLVED, r.status());
        assertEquals("stalled_worker:r:w0:*", r.fingerprint());
        assertEquals(95.0, r.evidence().get("silentSeconds"));
        assertEquals(8, r.step());
        assertTrue(detector.onReport(st, "r", "w0", 9, T0 + 96_000).isEmpty(), "resolved once");
    }

    @Test
    void aLateOlderStepDoesNotMoveTheLastStepBack() {
        StallState st = new StallState();
        detector.onReport(st, "r", "w0", 10, T0);
        detector.onReport(st, "r", "w0", 9, T0 + 10);
        assertEquals(10, st.lastStep);
    }
}
