package dev.gradwatch.events;

/**
 * A record that could not be decoded, kept with the reason so that nothing is lost silently.
 *
 * @param payload the original bytes as UTF-8 text (invalid sequences replaced)
 */
public record DeadLetter(
        int schemaVersion,
        String sourceTopic,
        int partition,
        long offset,
        String reason,
        String payload,
        long timestampMs) {

    public static final int CURRENT_VERSION = 1;
}
