package dev.gradwatch.monitor.ingest;

import dev.gradwatch.events.DeadLetter;
import dev.gradwatch.events.DecodeException;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;

import com.fasterxml.jackson.databind.ObjectReader;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Decodes raw stats records and never throws: what cannot be decoded or is not a usable
 * {@link StepStats} becomes a {@link DeadLetter} with the reason. With checkpointing on, an exception
 * here would restart the job on the same record forever.
 */
public final class StatsDecoder {

    /** Dead-letter payloads are cut to this many characters so that they fit in a Kafka record. */
    public static final int MAX_PAYLOAD_CHARS = 64 * 1024;

    private StatsDecoder() {
    }

    /** Either decoded statistics or a dead letter, never both. */
    public record Result(StepStats stats, DeadLetter deadLetter) {
        public boolean ok() {
            return stats != null;
        }
    }

    /** The codec's reader (with Jackson's FastDoubleParser, as the codec's mapper enables it). */
    private static final ObjectReader FAST = EventCodec.mapper().readerFor(StepStats.class);

    public static Result decode(RawRecord r) {
        if (r.value() != null) {
            try {
                // the codec's exact form (every GradWatch trainer), else any common shape, else data
                // binding decides (fields added later, anything unusual)
                StepStats s = CompactStepReader.read(r.value());
                if (s == null) s = StepStatsReader.read(FAST, r.value());
                if (s == null) s = FAST.readValue(r.value());
                String problem = problem(s);
                return problem == null ? new Result(s, null) : new Result(null, deadLetter(r, problem));
            } catch (Exception | StackOverflowError e) {
                // not decodable: the codec's own path below names the problem, as it always has
            }
        }
        try {
            StepStats s = EventCodec.decode(r.value(), StepStats.class);
            String problem = problem(s);
            return problem == null ? new Result(s, null) : new Result(null, deadLetter(r, problem));
        } catch (DecodeException e) {
            return new Result(null, deadLetter(r, e.getMessage()));
        } catch (RuntimeException | StackOverflowError e) {
            return new Result(null, deadLetter(r, "cannot decode: " + e));
        }
    }

    /**
     * A record whose Kafka key named one (run, worker) and whose payload another: it was routed to
     * the wrong worker's state, so it is a dead letter saying both.
     */
    public static Result misrouted(RawRecord r, StepStats s) {
        String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
        return new Result(null, deadLetter(r, "record key \"" + key + "\" does not match the payload's runId \""
                + s.runId() + "\" and workerId \"" + s.workerId() + "\" (the key must be runId/workerId)"));
    }

    /** What the codec accepts but the detectors cannot use, or null. */
    static String problem(StepStats s) {
        // indices under 64 in a bit mask, the rest in a set: no boxing for the usual network
        long low = 0;
        Set<Integer> high = null;
        for (LayerStats l : s.layers()) {
            int i = l.index();
            boolean fresh;
            if (i < 64) {
                fresh = (low & (1L << i)) == 0;
                low |= 1L << i;
            } else {
                if (high == null) high = new HashSet<>();
                fresh = high.add(i);
            }
            if (!fresh) return "invalid StepStats: duplicate layer index " + i;
            if (l.gradL2() < 0) return "invalid StepStats: layer " + l.index() + " has negative gradL2 " + l.gradL2();
        }
        return null;
    }

    static DeadLetter deadLetter(RawRecord r, String reason) {
        String payload = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
        if (payload.length() > MAX_PAYLOAD_CHARS) {
            payload = payload.substring(0, MAX_PAYLOAD_CHARS) + "...[" + (payload.length() - MAX_PAYLOAD_CHARS)
                    + " more characters cut]";
        }
        return new DeadLetter(DeadLetter.CURRENT_VERSION, r.topic(), r.partition(), r.offset(),
                reason == null || reason.isBlank() ? "cannot decode" : reason, payload, r.timestampMs());
    }
}
