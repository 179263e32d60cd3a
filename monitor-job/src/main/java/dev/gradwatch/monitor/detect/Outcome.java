package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.Alert;

import java.util.ArrayList;
import java.util.List;

/**
 * What a monitor did with one sample: the alerts to publish, and whether the sample was dropped
 * from the windows because its step was not after the last one seen (late, a duplicate or a
 * replay). A dropped sample may still carry alerts that do not wait for a window (non-finite values).
 */
public final class Outcome {

    /** Null until the first alert: most samples of most keys announce nothing. */
    private List<Alert> alerts;
    private final boolean dropped;
    private boolean forgetsState;

    private Outcome(boolean dropped) {
        this.dropped = dropped;
    }

    /** The key's run ended: publish the alerts (the closing ones), then clear the key's state and timers. */
    static Outcome endOfRun() {
        Outcome o = new Outcome(false);
        o.forgetsState = true;
        return o;
    }

    /** True when the caller must clear the key's state after publishing the alerts. */
    public boolean forgetsState() {
        return forgetsState;
    }

    static Outcome accepted() {
        return new Outcome(false);
    }

    static Outcome dropped() {
        return new Outcome(true);
    }

    /** One outcome for records judged together (the layers of one step): dropped as said, with all their alerts. */
    public static Outcome combined(boolean dropped, List<Alert> alerts) {
        Outcome o = new Outcome(dropped);
        o.alerts = alerts;
        return o;
    }

    /** The key's run ended, for records judged together: publish {@code alerts} (the closing ones), then clear the key. */
    public static Outcome closing(List<Alert> alerts) {
        Outcome o = endOfRun();
        o.alerts = alerts;
        return o;
    }

    public List<Alert> alerts() {
        return alerts == null ? List.of() : alerts;
    }

    public boolean isDropped() {
        return dropped;
    }

    void alert(Alert a) {
        if (alerts == null) alerts = new ArrayList<>(2);
        alerts.add(a);
    }
}
