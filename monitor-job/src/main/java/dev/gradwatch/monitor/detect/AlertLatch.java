package dev.gradwatch.monitor.detect;

/**
 * Fire-once memory of one alert fingerprint: fires when its condition starts to hold, stays
 * silent while it keeps holding, and resolves after the condition has been clear for a number
 * of windows in a row. A Flink POJO, kept in keyed state.
 *
 * <p>Flap damping: after resolving, the latch remembers the resolution for {@code flapWindows}
 * observations (judged windows). A condition that fires again within them is flapping: the new
 * firing counts one more flap, and the alert then needs twice as many clear windows as before to
 * resolve ({@code resolveAfterWindows · 2^flaps}, at most {@code maxResolveWindows}; never less
 * than {@code resolveAfterWindows}). A condition that stays away for the whole flap window is
 * forgotten, flap count and all. Until the first re-firing nothing differs from a latch without
 * damping, so a condition that holds once and clears fires and resolves exactly as before. The
 * state is a few numbers whatever the history: the flap count only matters up to the cap.
 */
public final class AlertLatch {

    /** Flap counts over this do not lengthen the clear period any further (2^20 windows). */
    static final int MAX_COUNTED_FLAPS = 20;

    public boolean firing;
    /** Clear windows in a row since the condition last held. */
    public int clearWindows;
    /** Step at which the latest firing began, -1 before the first. */
    public long firedAtStep = -1;
    /** Firings that came within the flap window of the previous resolution, since the condition last stayed away. */
    public int flaps;
    /** Step of the latest resolution while it is remembered for flap detection, else -1. */
    public long resolvedAtStep = -1;
    /** Quiet observations since {@link #resolvedAtStep}. */
    public int quietWindows;

    public AlertLatch() {
    }

    /** Without flap damping: every firing needs {@code resolveAfterWindows} clear windows to resolve. */
    public Transition observe(boolean holds, long step, int resolveAfterWindows) {
        return observe(holds, step, resolveAfterWindows, 0, resolveAfterWindows);
    }

    /**
     * Records whether the condition held at {@code step} (one sample for immediate rules, one
     * window for windowed rules) and says what to announce.
     *
     * @param flapWindows       observations after a resolution within which a new firing is a flap; 0 turns damping off
     * @param maxResolveWindows the most clear windows a flapping alert needs to resolve
     */
    public Transition observe(boolean holds, long step, int resolveAfterWindows, int flapWindows,
                              int maxResolveWindows) {
        if (holds) {
            clearWindows = 0;
            if (firing) return Transition.STILL_FIRING;
            if (resolvedAtStep >= 0) {
                flaps = Math.min(flaps + 1, MAX_COUNTED_FLAPS);
            } else {
                flaps = 0;
            }
            resolvedAtStep = -1;
            quietWindows = 0;
            firing = true;
            firedAtStep = step;
            return Transition.FIRE;
        }
        if (!firing) {
            if (resolvedAtStep >= 0 && ++quietWindows >= memoryWindows(flapWindows, resolveAfterWindows, maxResolveWindows)) {
                forgetResolution();
            }
            return Transition.QUIET;
        }
        clearWindows++;
        if (clearWindows < requiredClearWindows(resolveAfterWindows, maxResolveWindows)) return Transition.CLEARING;
        firing = false;
        clearWindows = 0;
        if (flapWindows > 0) {
            resolvedAtStep = step;
            quietWindows = 0;
        } else {
            forgetResolution();
        }
        return Transition.RESOLVE;
    }

    /** True while the current (or just resolved) firing came within the flap window of an earlier one. */
    public boolean isFlapping() {
        return flaps > 0;
    }

    /**
     * Clear windows in a row that the current firing needs to resolve: {@code resolveAfterWindows}
     * doubled for every flap, capped at {@code maxResolveWindows} (but never under {@code resolveAfterWindows}).
     */
    public int requiredClearWindows(int resolveAfterWindows, int maxResolveWindows) {
        if (flaps == 0) return resolveAfterWindows;
        long doubled = (long) resolveAfterWindows << Math.min(flaps, MAX_COUNTED_FLAPS);
        return (int) Math.max(resolveAfterWindows, Math.min(doubled, maxResolveWindows));
    }

    /**
     * How long a resolution is remembered: {@code flapWindows}, or, for a flapping alert, as long as
     * the clear period it needed if that is longer (a condition that comes back sooner than it took
     * to clear is still flapping).
     */
    private int memoryWindows(int flapWindows, int resolveAfterWindows, int maxResolveWindows) {
        if (flaps == 0) return flapWindows;
        return Math.max(flapWindows, requiredClearWindows(resolveAfterWindows, maxResolveWindows));
    }

    /** True when the latch remembers nothing and can be dropped from state. */
    public boolean isIdle() {
        return !firing && clearWindows == 0 && resolvedAtStep < 0;
    }

    private void forgetResolution() {
        resolvedAtStep = -1;
        quietWindows = 0;
        flaps = 0;
    }
}
