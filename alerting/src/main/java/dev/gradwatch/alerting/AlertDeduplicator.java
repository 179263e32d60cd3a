package dev.gradwatch.alerting;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Drops alerts whose id was already seen: the monitor writes alerts at-least-once, so a retry or a
 * replay after a restart may deliver one twice. Remembers a bounded number of recent ids.
 */
public final class AlertDeduplicator {

    private final int capacity;
    private final Map<String, Boolean> seen;
    private long duplicates;

    public AlertDeduplicator(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        this.capacity = capacity;
        this.seen = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > AlertDeduplicator.this.capacity;
            }
        };
    }

    /** True the first time an id is offered, false (and counted) for a duplicate. */
    public synchronized boolean firstTime(String alertId) {
        if (seen.put(alertId, Boolean.TRUE) == null) return true;
        duplicates++;
        return false;
    }

    public synchronized long duplicates() {
        return duplicates;
    }
}
