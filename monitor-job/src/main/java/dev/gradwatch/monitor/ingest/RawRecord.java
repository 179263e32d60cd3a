package dev.gradwatch.monitor.ingest;

/**
 * A record as read from Kafka, still undecoded, with where it came from so that a dead letter can
 * point back at it.
 *
 * @param key   the record key, or null
 * @param value the record value, or null for a tombstone
 */
public record RawRecord(String topic, int partition, long offset, long timestampMs, byte[] key, byte[] value) {
}
