package dev.gradwatch.monitor.detect;

/** What one observation did to an {@link AlertLatch}. */
public enum Transition {
    /** The condition began to hold: send a firing alert. */
    FIRE,
    /** Still holding: already announced, stay quiet. */
    STILL_FIRING,
    /** Firing, but this window was clear; not yet enough clear windows in a row. */
    CLEARING,
    /** Clear for enough windows in a row: send a resolved alert. */
    RESOLVE,
    /** Not firing and not holding. */
    QUIET
}
