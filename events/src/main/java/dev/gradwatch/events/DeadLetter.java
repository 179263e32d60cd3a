package dev.gradwatch.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A record that could not be decoded, kept with the reason so that nothing is lost silently.
 *
 * @param payload the original bytes as UTF-8 text (invalid sequences replaced)
 */
public record DeadLetter(
        @JsonProperty(required = true) int schemaVersion,
        @JsonProperty(required = true) String sourceTopic,
        @JsonProperty(required = true) int partition,
        @JsonProperty(required = true) long offset,
        @JsonProperty(required = true) String reason,
        @JsonProperty(required = true) String payload,
        @JsonProperty(required = true) long timestampMs) {

    public static final int CURRENT_VERSION = 1;
}
