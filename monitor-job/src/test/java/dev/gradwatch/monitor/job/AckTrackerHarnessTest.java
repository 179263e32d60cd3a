package dev.gradwatch.monitor.job;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.ControlCommand;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ack join on processing time that the harness advances. */
class AckTrackerHarnessTest {

    private static final long ACK_MS = 10_000;
    private static final long IDLE_MS = 30 * 60_000;

    private static KeyedTwoInputStreamOperatorTestHarness<WorkerKey, ControlCommand, ControlAck, Alert> harness()
            throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new AckTrackerFunction(ACK_MS, IDLE_MS)),
                c -> new WorkerKey(c.runId(), c.workerId()), a -> new WorkerKey(a.runId(), a.workerId()), WorkerKey.TYPE);
    }

    private static ControlCommand command(String run, String type, long step) {
        return new ControlCommand(ControlCommand.CURRENT_VERSION, type + ":" + run + ":w0@" + step, run, "w0",
                ControlCommand.Type.valueOf(type), 0.5, "test", step, 0, 60_000, null, null);
    }

    private static ControlAck ack(ControlCommand c, boolean applied, String detail) {
        return new ControlAck(ControlAck.CURRENT_VERSION, c.commandId(), c.runId(), c.workerId(), applied, detail, 1, 0);
    }

    @Test
    void alertsTheCommandNobodyAcknowledgedAndTheOneThatWasRejectedButNotTheOneThatWasApplied() throws Exception {
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(0);
            ControlCommand applied = command("run-ok", "SET_CLIP_NORM", 9);
            ControlCommand ignored = command("run-deaf", "SET_CLIP_NORM", 9);
            ControlCommand refused = command("run-strict", "SCALE_LR", 29);
            h.processElement1(new StreamRecord<>(applied));
            h.processElement1(new StreamRecord<>(ignored));
            h.processElement1(new StreamRecord<>(refused));
            h.setProcessingTime(200);
            h.processElement2(new StreamRecord<>(ack(applied, true, "")));
            h.processElement2(new StreamRecord<>(ack(refused, false, "signature does not match (forged or altered)")));
            List<Alert> out = h.extractOutputValues();
            assertEquals(List.of("run-strict/command_rejected/firing"), out.stream()
                    .map(a -> a.runId() + "/" + a.rule() + "/" + a.status()).toList());
            assertTrue(out.get(0).summary().contains("signature does not match"), out.get(0).summary());

            h.setProcessingTime(ACK_MS - 1);
            assertEquals(1, h.extractOutputValues().size());
            h.setProcessingTime(ACK_MS);
            out = h.extractOutputValues();
            assertEquals(2, out.size(), out.toString());
            assertEquals("run-deaf/command_unacknowledged/firing",
                    out.get(1).runId() + "/" + out.get(1).rule() + "/" + out.get(1).status());
        }
    }

    @Test
    void forgetsAWorkerAtTheIdleTimeoutWhenNothingIsPending() throws Exception {
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(0);
            ControlCommand c = command("run-1", "STOP", 40);
            h.processElement1(new StreamRecord<>(c));
            assertEquals(1, h.numProcessingTimeTimers());
            h.setProcessingTime(ACK_MS);
            assertEquals(1, h.extractOutputValues().size());
            assertEquals(1, h.numProcessingTimeTimers(), "the idle clean-up");
            h.setProcessingTime(IDLE_MS);
            assertEquals(0, KeyedStateCleanupTest.entries(h));
            assertEquals(0, h.numProcessingTimeTimers());
        }
    }
}
