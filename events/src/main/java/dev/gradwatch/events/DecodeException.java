package dev.gradwatch.events;

/** A record that is not valid JSON of the expected type; the message says why, for a dead letter. */
public class DecodeException extends Exception {
    public DecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
