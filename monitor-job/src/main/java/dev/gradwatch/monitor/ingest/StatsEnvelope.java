package dev.gradwatch.monitor.ingest;

import dev.gradwatch.events.StepStats;

import java.util.Objects;

/**
 * A stats record on its way to its worker's operator, keyed by (run, worker): still raw when the
 * Kafka record key named them ({@code run/worker}, as the trainers write it), so that decoding runs
 * after the shuffle on every parallel instance; already decoded when the key did not say, and the
 * payload had to be read to know where the record goes.
 *
 * @param raw   the undecoded record, or null when {@code stats} is set
 * @param stats the decoded statistics, or null when {@code raw} is set
 */
public record StatsEnvelope(String runId, String workerId, RawRecord raw, StepStats stats) {

    public StatsEnvelope {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(workerId, "workerId");
        if ((raw == null) == (stats == null)) throw new IllegalArgumentException("exactly one of raw and stats");
    }

    /** Already decoded: keyed by what the payload says. */
    public static StatsEnvelope decoded(StepStats s) {
        return new StatsEnvelope(s.runId(), s.workerId(), null, s);
    }

    /**
     * A raw record whose key names its run and worker as {@code run/worker} (exactly one slash, both
     * sides non-empty), or null when the key says no such thing: then the payload must be decoded to
     * know the worker. A run or worker id with a slash in it is therefore always decoded first.
     */
    public static StatsEnvelope ofKey(RawRecord r) {
        byte[] key = r.key();
        if (key == null) return null;
        int slash = -1;
        for (int i = 0; i < key.length; i++) {
            if (key[i] == '/') {
                if (slash >= 0) return null;
                slash = i;
            }
        }
        if (slash <= 0 || slash == key.length - 1) return null;
        String k = new String(key, java.nio.charset.StandardCharsets.UTF_8);
        int at = k.indexOf('/');
        return new StatsEnvelope(k.substring(0, at), k.substring(at + 1), r, null);
    }
}
