package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.Alert;

import java.util.List;

/**
 * A monitor whose keyed state can be dropped as a whole (the key fell silent past the idle timeout,
 * or its run ended): before the state goes, every alert still firing in it is resolved with the
 * reason, so that no alert stays firing downstream for a subject nobody watches any more.
 *
 * @param <S> the monitor's keyed state
 */
public interface ClosesState<S> {

    /**
     * One resolved alert per alert still firing (or clearing) in {@code state}; the caller clears
     * the state afterwards.
     *
     * @param workerId   the key's worker, or null when the key spans workers (every worker's alerts close)
     * @param layerIndex the key's layer, or -1 for whole-step state
     * @param reason     why, for the summary, e.g. {@code no data for 600 s, state cleared}
     */
    List<Alert> closeAll(S state, String runId, String workerId, int layerIndex, long timestampMs, String reason);
}
