package dev.gradwatch.monitor.detect;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepWindowsTest {

    private final StepWindows w = new StepWindows(10, 5);

    @Test
    void windowsEndEverySlideStepsCountedFromStepZero() {
        assertTrue(w.endsAt(4));
        assertTrue(w.endsAt(9));
        assertFalse(w.endsAt(10));
        assertEquals(10, w.startOf(19));
    }

    @Test
    void aGapInTheStepsClosesTheWindowsThatStillHoldTheLastSample() {
        assertArrayEquals(new long[] {4, 9}, w.endsSkipped(3, 12));
        assertArrayEquals(new long[] {9}, w.endsSkipped(4, 100));
        assertArrayEquals(new long[0], w.endsSkipped(5, 6));
        assertArrayEquals(new long[0], w.endsSkipped(-1, 30));
    }
}
