package dev.gradwatch.monitor.detect;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertLatchTest {

    /** Flap damping as configured by default. */
    private static final int FLAP = DetectorConfig.DEFAULTS.flapWithinWindows();
    private static final int MAX = DetectorConfig.DEFAULTS.flapMaxResolveWindows();

    @Test
    void firesOnceWhileTheConditionHoldsAndResolvesAfterTwoClearWindows() {
        AlertLatch latch = new AlertLatch();
        assertEquals(Transition.QUIET, latch.observe(false, 4, 2));
        assertEquals(Transition.FIRE, latch.observe(true, 9, 2));
        assertEquals(Transition.STILL_FIRING, latch.observe(true, 14, 2));
        assertEquals(Transition.CLEARING, latch.observe(false, 19, 2));
        assertEquals(Transition.RESOLVE, latch.observe(false, 24, 2));
        assertEquals(9, latch.firedAtStep);
        assertTrue(latch.isIdle());
        assertEquals(Transition.QUIET, latch.observe(false, 29, 2));
    }

    @Test
    void startsCountingClearWindowsAgainWhenTheConditionReturns() {
        AlertLatch latch = new AlertLatch();
        latch.observe(true, 9, 2);
        assertEquals(Transition.CLEARING, latch.observe(false, 14, 2));
        assertEquals(Transition.STILL_FIRING, latch.observe(true, 19, 2));
        assertEquals(Transition.CLEARING, latch.observe(false, 24, 2));
        assertEquals(Transition.RESOLVE, latch.observe(false, 29, 2));
    }

    /** One window every {@code period} holds, {@code cycles} times, then it stays clear for 40 windows. */
    private static List<Boolean> periodic(int period, int cycles) {
        List<Boolean> holds = new ArrayList<>();
        for (int c = 0; c < cycles; c++) {
            holds.add(true);
            holds.addAll(Collections.nCopies(period - 1, false));
        }
        holds.addAll(Collections.nCopies(40, false));
        return holds;
    }

    private static List<Transition> run(List<Boolean> holds, int flapWindows) {
        AlertLatch latch = new AlertLatch();
        List<Transition> out = new ArrayList<>();
        for (int i = 0; i < holds.size(); i++) {
            Transition t = latch.observe(holds.get(i), 9 + 5L * i, 2, flapWindows, MAX);
            if (t == Transition.FIRE || t == Transition.RESOLVE) out.add(t);
        }
        assertTrue(latch.isIdle(), "forgotten after 40 clear windows");
        return out;
    }

    @Test
    void aFlappingConditionFiresOnceMoreAsFlappingThenStaysFiringUntilItIsGone() {
        // the demo's pattern: one window in four holds; two clear windows resolve it, and it is back one later
        List<Boolean> holds = periodic(4, 20);
        List<Transition> undamped = run(holds, 0);
        assertEquals(40, undamped.size(), "without damping every cycle fires and resolves: " + undamped);

        // with damping: the first firing resolves as usual (nothing says yet that it flaps); the second one
        // is flapping, needs 4 clear windows, and so stays firing until the condition is gone for good
        assertEquals(List.of(Transition.FIRE, Transition.RESOLVE, Transition.FIRE, Transition.RESOLVE), run(holds, FLAP));
    }

    @Test
    void theFlappingFiringIsAnnotatedAndResolvesAfterTheLongerClearPeriod() {
        AlertLatch latch = new AlertLatch();
        long step = 9;
        assertEquals(Transition.FIRE, latch.observe(true, step, 2, FLAP, MAX));
        assertFalse(latch.isFlapping());
        latch.observe(false, step += 5, 2, FLAP, MAX);
        assertEquals(Transition.RESOLVE, latch.observe(false, step += 5, 2, FLAP, MAX));
        assertFalse(latch.isIdle(), "the resolution is remembered for the flap window");
        assertEquals(Transition.FIRE, latch.observe(true, step += 5, 2, FLAP, MAX));
        assertTrue(latch.isFlapping());
        assertEquals(1, latch.flaps);
        assertEquals(4, latch.requiredClearWindows(2, MAX));
        for (int i = 0; i < 3; i++) assertEquals(Transition.CLEARING, latch.observe(false, step += 5, 2, FLAP, MAX));
        assertEquals(Transition.RESOLVE, latch.observe(false, step += 5, 2, FLAP, MAX));
    }

    @Test
    void eachFlapDoublesTheClearPeriodUpToTheCap() {
        AlertLatch latch = new AlertLatch();
        long step = 0;
        latch.observe(true, step++, 2, FLAP, MAX);
        List<Integer> needed = new ArrayList<>();
        for (int flap = 0; flap < 6; flap++) {
            int clear = 0;
            Transition t;
            do {
                t = latch.observe(false, step++, 2, FLAP, MAX);
                clear++;
            } while (t == Transition.CLEARING);
            assertEquals(Transition.RESOLVE, t);
            needed.add(clear);
            // back after three quiet windows: inside the flap window, or inside the last clear period
            for (int q = 0; q < 3; q++) latch.observe(false, step++, 2, FLAP, MAX);
            assertEquals(Transition.FIRE, latch.observe(true, step++, 2, FLAP, MAX));
        }
        assertEquals(List.of(2, 4, 8, 16, 32, 32), needed);
    }

    @Test
    void aConditionThatComesBackAfterTheFlapWindowIsNotFlapping() {
        AlertLatch latch = new AlertLatch();
        long step = 0;
        latch.observe(true, step++, 2, FLAP, MAX);
        latch.observe(false, step++, 2, FLAP, MAX);
        assertEquals(Transition.RESOLVE, latch.observe(false, step++, 2, FLAP, MAX));
        for (int q = 0; q < FLAP - 1; q++) latch.observe(false, step++, 2, FLAP, MAX);
        assertFalse(latch.isIdle());
        latch.observe(false, step++, 2, FLAP, MAX);
        assertTrue(latch.isIdle(), "forgotten after " + FLAP + " quiet windows");
        assertEquals(Transition.FIRE, latch.observe(true, step++, 2, FLAP, MAX));
        assertFalse(latch.isFlapping());
        assertEquals(2, latch.requiredClearWindows(2, MAX));
    }

    @Test
    void aConditionThatHoldsOnceAndClearsBehavesAsWithoutDamping() {
        // holds for 5 windows with a one-window gap, then clears for good
        List<Boolean> holds = new ArrayList<>(List.of(false, true, true, false, true, true, true));
        holds.addAll(Collections.nCopies(FLAP + 2, false));
        AlertLatch damped = new AlertLatch();
        AlertLatch plain = new AlertLatch();
        for (int i = 0; i < holds.size(); i++) {
            assertEquals(plain.observe(holds.get(i), i, 2), damped.observe(holds.get(i), i, 2, FLAP, MAX), "window " + i);
            assertEquals(plain.firedAtStep, damped.firedAtStep);
        }
        assertTrue(damped.isIdle());
    }

    @Test
    void staysAFlinkPojoWithBoundedState() {
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(AlertLatch.class));
        AlertLatch latch = new AlertLatch();
        for (int i = 0; i < 30; i++) {
            latch.observe(true, 3 * i, 1, 2, 1 << 30);
            latch.observe(false, 3 * i + 1, 1, 2, 1 << 30);
            while (latch.firing) latch.observe(false, 3 * i + 2, 1, 2, 1 << 30);
        }
        assertEquals(AlertLatch.MAX_COUNTED_FLAPS, latch.flaps, "the flap count saturates");
        assertEquals(1 << 20, latch.requiredClearWindows(1, 1 << 30));
    }
}
