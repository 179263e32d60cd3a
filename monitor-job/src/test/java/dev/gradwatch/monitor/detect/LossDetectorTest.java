package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.Severity;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossDetectorTest {

    private static final Subject WORKER = Subject.step("run-1", "w0", "dense/relu");

    /** Batch-to-batch noise of about ±20%, repeating every 11 steps. */
    private static double noise(int s) {
        return 1 + 0.2 * Math.sin(s * 1.7);
    }

    private static List<Alert> feed(StepMonitor m, StepState st, int from, int to, IntToDoubleFunction loss) {
        List<Alert> out = new ArrayList<>();
        for (int s = from; s < to; s++) {
            out.addAll(m.onStep(st, StatsFixtures.step("run-1", "w0", s, loss.applyAsDouble(s), "dense/relu",
                    0.5, 0.7, 0.9)).alerts());
        }
        return out;
    }

    @Test
    void thePlateauMemoryOnlyMovesOnARealDecrease() {
        LossPlateau p = new LossPlateau();
        p.observe(1.0, 9, 0.001);
        p.observe(0.9995, 14, 0.001);
        assertEquals(9, p.bestStep, "0.05% is not progress");
        p.observe(0.998, 19, 0.001);
        assertEquals(19, p.bestStep);
        assertEquals(0.998, p.best);
        p.observe(Double.NaN, 24, 0.001);
        assertEquals(5, p.stepsWithoutProgress(24));
    }

    @Test
    void firesWhenTheLossIsFlatForThePatienceAndResolvesWhenItFallsAgain() {
        StepMonitor m = new StepMonitor(DetectorConfig.DEFAULTS);
        StepState st = new StepState();
        List<Alert> alerts = feed(m, st, 0, 1100, s -> 0.69 * noise(s));
        assertEquals(List.of(Rules.LOSS_NOT_DECREASING), alerts.stream().map(Alert::rule).toList(), alerts.toString());
        Alert a = alerts.get(0);
        assertEquals(Severity.INFO, a.severity());
        assertTrue(a.step() >= 1000 && a.step() < 1100, "fired at " + a.step());
        assertTrue(a.evidence().get("stepsWithoutProgress") >= 1000);
        assertEquals("loss_not_decreasing:run-1:w0:*", a.fingerprint());

        List<Alert> later = feed(m, st, 1100, 1140, s -> 0.3 * noise(s));
        assertEquals(List.of(Alert.RESOLVED), later.stream().map(Alert::status).toList(), later.toString());
    }

    @Test
    void staysQuietOnANoisySlowlyImprovingRun() {
        // a 25% decrease per 1000 steps under ±20% batch noise
        StepMonitor m = new StepMonitor(DetectorConfig.DEFAULTS);
        assertTrue(feed(m, new StepState(), 0, 5000, s -> Math.exp(-s / 3500.0) * noise(s)).isEmpty());
    }

    @Test
    void findingCarriesTheNumbersAndTheRemedyComparesWithTheBest() {
        LossPlateau p = new LossPlateau();
        p.observe(0.7, 9, 0.001);
        Finding f = LossDetector.notDecreasing(WORKER, p, 1009, 0.71, 0.001, 1000, 0.01).orElseThrow();
        assertEquals(1000.0, f.evidence().get("stepsWithoutProgress"));
        assertEquals(0.7, f.evidence().get("bestWindowMeanLoss"));
        assertTrue(f.remedy().contains("now 0.710, best 0.700"), f.remedy());
        assertTrue(LossDetector.notDecreasing(WORKER, p, 1008, 0.71, 0.001, 1000, 0.01).isEmpty());
    }
}
