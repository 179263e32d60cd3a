package dev.gradwatch.monitor.detect;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertLatchTest {

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
}
