package dev.gradwatch.monitor.detect;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SampleRingTest {

    @Test
    void keepsTheLatestSamplesAndSelectsAStepRange() {
        SampleRing r = SampleRing.create(4, 2);
        for (int s = 0; s < 7; s++) r.add(s, s * 10, -s);
        Series all = r.series(0, 0, 100);
        assertArrayEquals(new long[] {3, 4, 5, 6}, all.steps());
        assertArrayEquals(new double[] {30, 40, 50, 60}, all.values());
        assertArrayEquals(new double[] {-4, -5}, r.series(1, 4, 5).values());
        assertEquals(0, r.firstStep);
        assertEquals(6, r.lastStep);
    }

    @Test
    void reshapingKeepsTheLatestSamplesAndAddsNaNColumns() {
        SampleRing r = SampleRing.create(4, 1);
        for (int s = 0; s < 6; s++) r.add(s, s);
        r.reshape(3, 2);
        assertArrayEquals(new double[] {3, 4, 5}, r.series(0, 0, 100).values());
        assertEquals(Double.NaN, r.series(1, 0, 100).values()[0]);
        r.add(6, 6, 60);
        assertArrayEquals(new long[] {4, 5, 6}, r.series(0, 0, 100).steps());
    }
}
