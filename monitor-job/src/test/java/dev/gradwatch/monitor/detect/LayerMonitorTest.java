package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.Alert;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerMonitorTest {

    private final LayerMonitor monitor = new LayerMonitor(DetectorConfig.DEFAULTS);

    private static LayerSample sample(long step, double gradL2) {
        return new LayerSample("run-1", "w0", step, 1000 + step, 0.1,
                StatsFixtures.layer(0, "dense/sigmoid", gradL2));
    }

    private List<Alert> feed(LayerState st, double[] norms, int firstStep) {
        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < norms.length; i++) alerts.addAll(monitor.onSample(st, sample(firstStep + i, norms[i])).alerts());
        return alerts;
    }

    @Test
    void firesVanishingOnceAtTheFirstWholeWindowAndResolvesAfterTwoClearWindows() {
        LayerState st = new LayerState();
        double[] vanished = new double[30];
        java.util.Arrays.fill(vanished, 1e-9);
        List<Alert> alerts = feed(st, vanished, 0);
        assertEquals(1, alerts.size(), alerts.toString());
        Alert fired = alerts.get(0);
        assertEquals(Rules.VANISHING_GRADIENT, fired.rule());
        assertEquals(Alert.FIRING, fired.status());
        assertEquals(9, fired.step()); // the window 0-9 is the first whole one
        assertEquals("vanishing_gradient:run-1:w0:0", fired.fingerprint());
        assertEquals("vanishing_gradient:run-1:w0:0:firing@9", fired.alertId());

        double[] healthy = new double[20];
        java.util.Arrays.fill(healthy, 0.5);
        List<Alert> later = feed(st, healthy, 30);
        // the window ending 34 is no longer vanished throughout: it and the one ending 39 are clear
        assertEquals(1, later.size(), later.toString());
        assertEquals(Alert.RESOLVED, later.get(0).status());
        assertEquals(39, later.get(0).step());
        assertEquals("vanishing_gradient:run-1:w0:0:resolved@39", later.get(0).alertId());
        // flap damping: the resolution is remembered for flap.within-windows (12) judged windows, the
        // last of them ending at step 99, then the latch is dropped
        assertEquals(1, st.latches.size());
        double[] moreHealthy = new double[50];
        java.util.Arrays.fill(moreHealthy, 0.5);
        assertTrue(feed(st, moreHealthy, 50).isEmpty());
        assertTrue(st.latches.isEmpty());
    }

    @Test
    void firesExplodingAtTheStepThatCrossesTheCeilingNotAtTheWindowEnd() {
        LayerState st = new LayerState();
        List<Alert> alerts = feed(st, new double[] {1, 1, 1, 1, 1, 1, 1, 2000, 1, 1, 1, 1}, 0);
        // a 2000x jump out of a flat series is a spike as well
        assertEquals(List.of(Rules.EXPLODING_GRADIENT, Rules.EXPLODING_GRADIENT_SPIKE),
                alerts.stream().map(Alert::rule).toList(), alerts.toString());
        assertEquals(7, alerts.get(0).step());
        assertEquals(7, alerts.get(1).step());
    }

    @Test
    void firesGrowthWhenTheNormDoublesEveryStep() {
        LayerState st = new LayerState();
        double[] v = new double[10];
        for (int i = 0; i < v.length; i++) v[i] = 0.01 * Math.pow(2, i);
        List<Alert> alerts = feed(st, v, 0);
        assertEquals(List.of(Rules.EXPLODING_GRADIENT_GROWTH), alerts.stream().map(Alert::rule).toList());
    }

    @Test
    void staysQuietOnAHealthyLayer() {
        LayerState st = new LayerState();
        double[] v = new double[50];
        for (int i = 0; i < v.length; i++) v[i] = 0.5 + 0.1 * Math.sin(i);
        assertTrue(feed(st, v, 0).isEmpty());
        assertTrue(st.latches.isEmpty());
        // the stated state size per key: a window, or the spike lookback and the sample
        assertEquals(DetectorConfig.DEFAULTS.historySteps(), st.ring.capacity());
        assertEquals(21, st.ring.capacity());
    }

    @Test
    void dropsAStepItHasAlreadySeen() {
        LayerState st = new LayerState();
        monitor.onSample(st, sample(5, 0.5));
        assertTrue(monitor.onSample(st, sample(5, 0.5)).isDropped());
        assertTrue(monitor.onSample(st, sample(3, 0.5)).isDropped());
    }

    @Test
    void replayingTheSameSamplesGivesTheSameAlertIds() {
        double[] v = new double[40];
        for (int i = 0; i < v.length; i++) v[i] = i < 20 ? 1e-9 : Math.pow(3, i - 20);
        List<String> first = feed(new LayerState(), v, 0).stream().map(Alert::alertId).toList();
        List<String> second = feed(new LayerState(), v, 0).stream().map(Alert::alertId).toList();
        assertTrue(first.size() >= 3, first.toString());
        assertEquals(first, second);
    }

    /**
     * The exploding demo after its clip: a layer's norm jumps 500x in one window out of four and drops back,
     * so exploding_gradient_growth holds in the windows ending at 9, 29, 49, ... 189 (every fourth).
     */
    private static List<Alert> growthAlertsOfAFlappingLayer(DetectorConfig cfg) {
        LayerMonitor m = new LayerMonitor(cfg);
        LayerState st = new LayerState();
        List<Alert> alerts = new ArrayList<>();
        for (int step = 0; step < 300; step++) {
            double norm = step < 200 && step % 20 == 9 ? 500 : 1;
            for (Alert a : m.onSample(st, sample(step, norm)).alerts()) {
                if (a.rule().equals(Rules.EXPLODING_GRADIENT_GROWTH)) alerts.add(a);
            }
        }
        return alerts;
    }

    @Test
    void aFlappingGrowthConditionPagesTwiceInsteadOfOncePerCycle() {
        DetectorConfig undamped = dev.gradwatch.monitor.rules.DetectorKeys.fromMap(
                java.util.Map.of("flap.within-windows", "0"), DetectorConfig.DEFAULTS);
        List<Alert> before = growthAlertsOfAFlappingLayer(undamped);
        assertEquals(10, before.stream().filter(a -> a.status().equals(Alert.FIRING)).count(), before.toString());
        assertEquals(10, before.stream().filter(a -> a.status().equals(Alert.RESOLVED)).count(), before.toString());

        List<Alert> after = growthAlertsOfAFlappingLayer(DetectorConfig.DEFAULTS);
        assertEquals(List.of("firing@9", "resolved@19", "firing@29", "resolved@209"),
                after.stream().map(a -> a.status() + "@" + a.step()).toList(), after.toString());
        assertTrue(after.get(0).summary().indexOf("flapping") < 0, "the first firing is an ordinary one");
        Alert flapping = after.get(2);
        assertTrue(flapping.summary().contains("[flapping: fired again within 12 window(s) of resolving, flap 1;"
                + " stays firing until clear for 4 window(s)]"), flapping.summary());
        assertEquals(1.0, flapping.evidence().get("flapCount"));
        assertEquals(4.0, flapping.evidence().get("resolveAfterWindows"));
        Alert resolved = after.get(3);
        assertTrue(resolved.summary().contains("clear for 4 window(s) up to step 209 (fired at step 29)"),
                resolved.summary());
        assertEquals(1.0, resolved.evidence().get("flapCount"));
    }

    @Test
    void aRunThatEndsWhileAnAlertFlapsClosesItWithItsFlapCount() {
        LayerState st = new LayerState();
        List<Alert> growth = new ArrayList<>();
        for (int step = 0; step < 100; step++) {
            for (Alert a : monitor.onSample(st, sample(step, step % 20 == 9 ? 500 : 1)).alerts()) {
                if (a.rule().equals(Rules.EXPLODING_GRADIENT_GROWTH)) growth.add(a);
            }
        }
        assertEquals(List.of("firing@9", "resolved@19", "firing@29"),
                growth.stream().map(a -> a.status() + "@" + a.step()).toList());
        // what the worker's operator does with the end-of-run marker that follows step 99
        List<Alert> closed = monitor.closeAll(st, "run-1", "w0", 0, 1099, StepMonitor.endReason(99));
        Alert end = closed.stream().filter(a -> a.rule().equals(Rules.EXPLODING_GRADIENT_GROWTH)).findFirst().orElseThrow();
        assertEquals(Alert.RESOLVED, end.status());
        assertEquals(1.0, end.evidence().get("stateCleared"));
        assertEquals(1.0, end.evidence().get("flapCount"));
    }

    /**
     * A layer's ring restored from a checkpoint taken before the log-norm column existed gets that
     * column from its norms, so a spike right after the restore is still caught against the whole
     * lookback.
     */
    @Test
    void aRingFromBeforeTheLogColumnStillCatchesASpikeAtOnce() {
        LayerState st = new LayerState();
        st.ring = SampleRing.create(DetectorConfig.DEFAULTS.historySteps(), LayerMonitor.COLUMNS - 1);
        for (int i = 0; i < 20; i++) st.ring.add(i, 2.0 + 0.01 * (i % 3), 0, Double.NaN, Double.NaN, 1e-3);
        List<Alert> alerts = monitor.onSample(st, sample(20, 40.0)).alerts();
        assertEquals(List.of(Rules.EXPLODING_GRADIENT_SPIKE), alerts.stream().map(Alert::rule).toList(), alerts.toString());
        assertEquals(LayerMonitor.COLUMNS, st.ring.columns.length);
    }
}
