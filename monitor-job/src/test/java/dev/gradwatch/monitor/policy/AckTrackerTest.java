package dev.gradwatch.monitor.policy;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.ControlCommand;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AckTrackerTest {

    private static final long T0 = 1_800_000_000_000L;
    private final AckTracker tracker = new AckTracker(10_000);

    static ControlCommand clip(long step, long seq) {
        return new ControlCommand(ControlCommand.CURRENT_VERSION, "SET_CLIP_NORM:r:w0@" + step, "r", "w0",
                ControlCommand.Type.SET_CLIP_NORM, 2.0, "test", seq, T0, T0 + 60_000, null, null);
    }

    static ControlAck ack(ControlCommand c, boolean applied, String detail) {
        return new ControlAck(ControlAck.CURRENT_VERSION, c.commandId(), c.runId(), c.workerId(), applied, detail,
                123, T0);
    }

    @Test
    void anAckInTimeRaisesNothing() {
        AckState st = new AckState();
        ControlCommand c = clip(20, 20);
        assertTrue(tracker.onCommand(st, c, T0));
        assertEquals(T0 + 10_000, AckTracker.nextDue(st));
        assertTrue(tracker.onAck(st, ack(c, true, ""), T0 + 300).isEmpty());
        assertEquals(0, st.pending.length);
        assertTrue(tracker.onCheck(st, "r", "w0", T0 + 20_000).isEmpty());
    }

    @Test
    void aCommandWithoutAckWithinTheTimeoutIsAlertedOnceAndResolvedByTheNextAck() {
        AckState st = new AckState();
        ControlCommand c = clip(20, 20);
        tracker.onCommand(st, c, T0);
        assertTrue(tracker.onCheck(st, "r", "w0", T0 + 9_999).isEmpty());
        List<Alert> out = tracker.onCheck(st, "r", "w0", T0 + 10_000);
        assertEquals(1, out.size());
        Alert a = out.get(0);
        assertEquals("command_unacknowledged", a.rule());
        assertEquals(Alert.FIRING, a.status());
        assertEquals("command_unacknowledged:r:w0:*", a.fingerprint());
        assertEquals("command_unacknowledged:r:w0:*:firing:SET_CLIP_NORM:r:w0@20", a.alertId());
        assertEquals(20, a.step());
        assertEquals(10.0, a.evidence().get("secondsSinceSent"));
        assertTrue(a.summary().contains("SET_CLIP_NORM:r:w0@20 (seq 20) within 10.0 s"), a.summary());
        assertTrue(tracker.onCheck(st, "r", "w0", T0 + 60_000).isEmpty(), "alerted once");

        List<Alert> late = tracker.onAck(st, ack(c, true, ""), T0 + 61_000);
        assertEquals(1, late.size());
        assertEquals(Alert.RESOLVED, late.get(0).status());
        assertEquals("command_unacknowledged", late.get(0).rule());
        assertTrue(tracker.onAck(st, ack(c, true, ""), T0 + 62_000).isEmpty(), "a redelivered ack is not news");
    }

    @Test
    void aRejectionRaisesCommandRejectedWithTheTrainersReasonAndAnAppliedCommandResolvesIt() {
        AckState st = new AckState();
        ControlCommand c = clip(20, 20);
        tracker.onCommand(st, c, T0);
        List<Alert> out = tracker.onAck(st, ack(c, false, "expired at 1800000060000"), T0 + 100);
        assertEquals(1, out.size());
        Alert a = out.get(0);
        assertEquals("command_rejected", a.rule());
        assertEquals(Alert.FIRING, a.status());
        assertTrue(a.summary().endsWith("rejected control command SET_CLIP_NORM:r:w0@20: expired at 1800000060000"),
                a.summary());
        assertTrue(a.remedy().contains("clocks"), a.remedy());
        assertEquals(0, st.pending.length, "a rejection is an answer: no unacknowledged alert later");
        assertTrue(tracker.onCheck(st, "r", "w0", T0 + 20_000).isEmpty());

        ControlCommand next = clip(30, 30);
        tracker.onCommand(st, next, T0 + 1_000);
        List<Alert> resolved = tracker.onAck(st, ack(next, true, ""), T0 + 1_100);
        assertEquals(List.of("command_rejected:resolved"), resolved.stream().map(x -> x.rule() + ":" + x.status()).toList());
    }

    @Test
    void anAckThatOvertakesItsCommandOrARedeliveredCommandNeedsNoWait() {
        AckState st = new AckState();
        ControlCommand c = clip(20, 20);
        assertTrue(tracker.onAck(st, ack(c, true, ""), T0).isEmpty());
        assertTrue(!tracker.onCommand(st, c, T0 + 5), "its ack came first");
        ControlCommand d = clip(30, 30);
        assertTrue(tracker.onCommand(st, d, T0 + 10));
        assertTrue(!tracker.onCommand(st, d, T0 + 20), "already pending");
        assertEquals(1, st.pending.length);
    }

    @Test
    void stateStaysBounded() {
        AckState st = new AckState();
        for (int i = 0; i < 200; i++) {
            ControlCommand c = clip(i, i);
            tracker.onCommand(st, c, T0 + i);
            if (i % 2 == 0) tracker.onAck(st, ack(c, true, ""), T0 + i);
        }
        assertEquals(AckTracker.MAX_PENDING, st.pending.length);
        assertEquals(AckTracker.MAX_ANSWERED, st.answered.length);
        assertEquals("SET_CLIP_NORM:r:w0@199", st.pending[st.pending.length - 1].commandId);
    }
}
