package dev.gradwatch.events;

/** How urgently an alert wants a person. */
public enum Severity {
    INFO, WARNING, CRITICAL
}
