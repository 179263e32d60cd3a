package dev.gradwatch.monitor.detect;

/**
 * Fire-once memory of one alert fingerprint: fires when its condition starts to hold, stays
 * silent while it keeps holding, and resolves after the condition has been clear for a number
 * of windows in a row. A Flink POJO, kept in keyed state.
 */
public final class AlertLatch {

    public boolean firing;
    /** Clear windows in a row since the condition last held. */
    public int clearWindows;
    /** Step at which the latest firing began, -1 before the first. */
    public long firedAtStep = -1;

    public AlertLatch() {
    }

    /**
     * Records whether the condition held at {@code step} (one sample for immediate rules, one
     * window for windowed rules) and says what to announce.
     */
    public Transition observe(boolean holds, long step, int resolveAfterWindows) {
        if (holds) {
            clearWindows = 0;
            if (firing) return Transition.STILL_FIRING;
            firing = true;
            firedAtStep = step;
            return Transition.FIRE;
        }
        if (!firing) return Transition.QUIET;
        clearWindows++;
        if (clearWindows < resolveAfterWindows) return Transition.CLEARING;
        firing = false;
        clearWindows = 0;
        return Transition.RESOLVE;
    }

    /** True when the latch remembers nothing and can be dropped from state. */
    public boolean isIdle() {
        return !firing && clearWindows == 0;
    }
}
