package dev.gradwatch.monitor.policy;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.monitor.detect.Alerts;
import dev.gradwatch.monitor.detect.Rules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Joins the control commands sent to one (run, worker) with the trainer's acknowledgements:
 * {@code command_unacknowledged} when a command has no ack within the ack timeout (resolved by the
 * next ack from that worker, which shows it is answering again), {@code command_rejected} when the
 * ack says applied=false, with the trainer's reason (resolved by the next applied command). Both
 * fingerprints are per worker; the alert ids name the command, so each case is delivered once.
 *
 * <p>An at-least-once redelivery after a restart is answered by the trainer again, with the outcome
 * of the first delivery (it is not applied twice); an ack for a command already answered is ignored.
 * A command addressed to every worker ({@code *}) is keyed by {@code *} while its acks carry real
 * worker ids, so it would time out here; the policy never sends one.
 */
public final class AckTracker implements java.io.Serializable {

    /** Most commands in flight per worker; beyond it the oldest is given up on, counted by the caller. */
    public static final int MAX_PENDING = 64;
    public static final int MAX_ANSWERED = 64;

    private final long ackTimeoutMs;

    public AckTracker(long ackTimeoutMs) {
        if (ackTimeoutMs < 1) throw new IllegalArgumentException("command.ack-timeout.ms must be >= 1, got " + ackTimeoutMs);
        this.ackTimeoutMs = ackTimeoutMs;
    }

    /**
     * Starts waiting for the command's ack. False when it needs no wait (its ack came already, or it
     * is a redelivery of one already pending). To stay within {@link #MAX_PENDING} the oldest pending
     * command is given up on; the caller counts that by the length of {@code pending}.
     */
    public boolean onCommand(AckState st, ControlCommand c, long nowMs) {
        st.lastActivityMs = nowMs;
        if (isAnswered(st, c.commandId()) || indexOf(st, c.commandId()) >= 0) return false;
        PendingCommand p = new PendingCommand();
        p.commandId = c.commandId();
        p.type = c.type().name();
        p.step = stepOf(c);
        p.seq = c.seq();
        p.sentAtMs = nowMs;
        p.dueAtMs = nowMs + ackTimeoutMs;
        PendingCommand[] keep = st.pending.length >= MAX_PENDING
                ? Arrays.copyOfRange(st.pending, st.pending.length - MAX_PENDING + 1, st.pending.length)
                : st.pending;
        st.pending = Arrays.copyOf(keep, keep.length + 1);
        st.pending[keep.length] = p;
        return true;
    }

    /** Records an ack; the alerts it raises or resolves. */
    public List<Alert> onAck(AckState st, ControlAck ack, long nowMs) {
        st.lastActivityMs = nowMs;
        List<Alert> out = new ArrayList<>(2);
        if (isAnswered(st, ack.commandId()) && indexOf(st, ack.commandId()) < 0 && !wasTimedOut(st, ack.commandId())) {
            return out; // a redelivered ack
        }
        int i = indexOf(st, ack.commandId());
        PendingCommand p = i >= 0 ? st.pending[i] : null;
        if (i >= 0) remove(st, i);
        remember(st, ack.commandId());
        if (st.unacknowledgedFiring) {
            st.unacknowledgedFiring = false;
            Map<String, Double> ev = new LinkedHashMap<>();
            ev.put("ackStep", (double) ack.step());
            out.add(alert(Rules.COMMAND_UNACKNOWLEDGED, Alert.RESOLVED, ack.runId(), ack.workerId(), ack.commandId(),
                    ack.step(), nowMs, "run " + ack.runId() + " worker " + ack.workerId()
                            + " acknowledges control commands again (" + ack.commandId() + ")", ev, ""));
        }
        if (!ack.applied()) {
            st.rejectedFiring = true;
            Map<String, Double> ev = new LinkedHashMap<>();
            ev.put("ackStep", (double) ack.step());
            if (p != null) {
                ev.put("seq", (double) p.seq);
                ev.put("commandStep", (double) p.step);
            }
            String reason = ack.detail().isEmpty() ? "no reason given" : ack.detail();
            out.add(alert(Rules.COMMAND_REJECTED, Alert.FIRING, ack.runId(), ack.workerId(), ack.commandId(),
                    ack.step(), nowMs, "run " + ack.runId() + " worker " + ack.workerId() + " rejected control command "
                            + ack.commandId() + ": " + reason, ev, remedyForRejection(reason)));
        } else if (st.rejectedFiring) {
            st.rejectedFiring = false;
            out.add(alert(Rules.COMMAND_REJECTED, Alert.RESOLVED, ack.runId(), ack.workerId(), ack.commandId(),
                    ack.step(), nowMs, "run " + ack.runId() + " worker " + ack.workerId() + " applied control command "
                            + ack.commandId(), Map.of("ackStep", (double) ack.step()), ""));
        }
        return out;
    }

    /** Commands overdue at {@code nowMs}: one firing alert each, and they stop being pending. */
    public List<Alert> onCheck(AckState st, String runId, String workerId, long nowMs) {
        List<Alert> out = new ArrayList<>();
        int i = 0;
        while (i < st.pending.length) {
            PendingCommand p = st.pending[i];
            if (p.dueAtMs > nowMs) {
                i++;
                continue;
            }
            remove(st, i);
            rememberTimedOut(st, p.commandId);
            st.unacknowledgedFiring = true;
            Map<String, Double> ev = new LinkedHashMap<>();
            ev.put("seq", (double) p.seq);
            ev.put("commandStep", (double) p.step);
            ev.put("secondsSinceSent", (nowMs - p.sentAtMs) / 1000.0);
            ev.put("ackTimeoutSeconds", ackTimeoutMs / 1000.0);
            out.add(alert(Rules.COMMAND_UNACKNOWLEDGED, Alert.FIRING, runId, workerId, p.commandId, p.step, nowMs,
                    String.format(Locale.ROOT, "run %s worker %s did not acknowledge %s command %s (seq %d) within %.1f s",
                            runId, workerId, p.type, p.commandId, p.seq, ackTimeoutMs / 1000.0), ev,
                    "check that the trainer runs a control listener on the control topic with the same topic name and"
                            + " signing keys as the monitor, that it can reach Kafka and publishes acks on the acks topic,"
                            + " and that the worker is still alive (see stalled_worker)."));
        }
        return out;
    }

    /** The earliest due time of a pending command, or {@code Long.MAX_VALUE}. */
    public static long nextDue(AckState st) {
        long next = Long.MAX_VALUE;
        for (PendingCommand p : st.pending) next = Math.min(next, p.dueAtMs);
        return next;
    }

    private static String remedyForRejection(String reason) {
        String r = reason.toLowerCase(Locale.ROOT);
        if (r.contains("unsigned") || r.contains("signature") || r.contains("key id")) {
            return "give the monitor (command.keys) and the trainers the same signing keys.";
        }
        if (r.contains("expired")) {
            return "the command reached the trainer after its expiry: check the clocks of monitor and trainer and the"
                    + " lag of the control topic, or raise command.ttl.ms.";
        }
        if (r.contains("replayed")) {
            return "the trainer saw a higher sequence number already: was the monitor restarted from an old"
                    + " checkpoint, or does a second monitor job send to the same control topic?";
        }
        return "read the trainer's reason; the policy's next command will be judged afresh.";
    }

    private static Alert alert(String rule, String status, String runId, String workerId, String commandId, long step,
                               long nowMs, String summary, Map<String, Double> evidence, String remedy) {
        String fp = Alerts.fingerprint(rule, runId, workerId, -1);
        return new Alert(Alert.CURRENT_VERSION, fp + ":" + status + ":" + commandId, fp, rule, Rules.severityOf(rule),
                status, runId, workerId, -1, "", step, nowMs, summary, evidence, remedy);
    }

    /** The trigger step in a {@code TYPE:run:worker@step} id, else the sequence number. */
    static long stepOf(ControlCommand c) {
        int at = c.commandId().lastIndexOf('@');
        if (at >= 0) {
            try {
                return Long.parseLong(c.commandId().substring(at + 1));
            } catch (NumberFormatException e) {
                // not one of ours
            }
        }
        return c.seq();
    }

    private static int indexOf(AckState st, String id) {
        for (int i = 0; i < st.pending.length; i++) if (st.pending[i].commandId.equals(id)) return i;
        return -1;
    }

    private static void remove(AckState st, int i) {
        PendingCommand[] next = new PendingCommand[st.pending.length - 1];
        System.arraycopy(st.pending, 0, next, 0, i);
        System.arraycopy(st.pending, i + 1, next, i, next.length - i);
        st.pending = next;
    }

    private static final String TIMED_OUT = "?";

    private static boolean isAnswered(AckState st, String id) {
        for (String a : st.answered) if (a.equals(id) || a.equals(TIMED_OUT + id)) return true;
        return false;
    }

    private static boolean wasTimedOut(AckState st, String id) {
        for (int i = 0; i < st.answered.length; i++) {
            if (st.answered[i].equals(TIMED_OUT + id)) {
                // a late ack for a command already alerted: take it once, then remember it as answered
                st.answered[i] = id;
                return true;
            }
        }
        return false;
    }

    private static void remember(AckState st, String id) {
        for (String a : st.answered) if (a.equals(id)) return;
        push(st, id);
    }

    private static void rememberTimedOut(AckState st, String id) {
        push(st, TIMED_OUT + id);
    }

    private static void push(AckState st, String entry) {
        int keep = Math.min(st.answered.length, MAX_ANSWERED - 1);
        String[] next = Arrays.copyOfRange(st.answered, st.answered.length - keep, st.answered.length + 1);
        next[keep] = entry;
        st.answered = next;
    }
}
