package dev.gradwatch.trainer.train;

import dev.gradwatch.events.LayerStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three demo presets do what the demo promises, judged by the monitor's default rules. */
class PresetsTest {

    @Test
    void vanishingDemoTripsTheVanishingRuleFromTheFirstStep() {
        TrainingSession session = TrainingSession.create(ModelSpec.vanishingDemo());
        DefaultRules rules = new DefaultRules(16);
        for (int i = 0; i < 50; i++) {
            StepResult r = session.step();
            List<LayerStats> layers = r.layers();
            assertEquals(16, layers.size());
            assertTrue(DefaultRules.firstLastRatio(layers) < 1e-8, "step " + i + ": ratio " + DefaultRules.firstLastRatio(layers));
            assertTrue(rules.vanishing(layers), "step " + i);
            assertFalse(DefaultRules.exploding(layers), "step " + i);
            assertTrue(Double.isFinite(r.loss()));
            if (i == DefaultRules.WINDOW - 1) {
                assertTrue(rules.someLayerUnderNormForWholeWindow(), "the first layer also stays under 1e-7 for a whole window");
            }
        }
        List<LayerStats> layers = session.step().layers();
        assertEquals("dense/sigmoid", layers.get(0).kind());
        assertEquals("dense/linear", layers.get(15).kind());
        assertEquals("dense15", layers.get(15).name());
    }

    @Test
    void healthyDemoStaysInsideEveryBandFor1000StepsAndLearns() {
        TrainingSession session = TrainingSession.create(ModelSpec.healthyDemo());
        DefaultRules rules = new DefaultRules(6);
        double firstLosses = 0, lastLosses = 0;
        for (int i = 0; i < 1000; i++) {
            StepResult r = session.step();
            List<LayerStats> layers = r.layers();
            assertTrue(Double.isFinite(r.loss()) && Double.isFinite(r.preClipNorm()), "step " + i);
            for (LayerStats l : layers) {
                assertTrue(l.gradL2() >= DefaultRules.VANISHING_NORM && l.gradL2() <= DefaultRules.EXPLODING_NORM,
                        "step " + i + " " + l.name() + " norm " + l.gradL2());
                assertEquals(0, l.nonFiniteCount());
            }
            assertTrue(DefaultRules.firstLastRatio(layers) > DefaultRules.VANISHING_RATIO, "step " + i);
            assertFalse(rules.vanishing(layers), "step " + i);
            assertFalse(DefaultRules.exploding(layers), "step " + i);
            if (i < 100) firstLosses += r.loss();
            if (i >= 900) lastLosses += r.loss();
        }
        assertEquals(0, session.skippedSteps());
        assertTrue(lastLosses < 0.5 * firstLosses, "mean loss of the first 100 steps " + firstLosses / 100
                + ", of the last 100 " + lastLosses / 100);
    }

    @Test
    void explodingDemoExceedsTheExplodingNormWithinTenSteps() {
        TrainingSession session = TrainingSession.create(ModelSpec.explodingDemo());
        boolean fired = false;
        for (int i = 0; i < 10; i++) fired |= DefaultRules.maxNorm(session.step().layers()) > DefaultRules.EXPLODING_NORM;
        assertTrue(fired);
    }

    @Test
    void explodingDemoWithoutClippingReachesANonFiniteLossWithin200StepsButIsStillFiniteAtStep40() {
        TrainingSession session = TrainingSession.create(ModelSpec.explodingDemo());
        long firstNonFinite = -1;
        for (int i = 0; i < 200 && firstNonFinite < 0; i++) {
            StepResult r = session.step();
            if (!Double.isFinite(r.loss())) firstNonFinite = r.step();
        }
        assertTrue(firstNonFinite > 40 && firstNonFinite < 200, "first non-finite loss at step " + firstNonFinite);
        // the loss overflows while the gradient is still finite (about 1e155); a couple of steps later
        // the gradient is NaN too (0·∞ in saturated tanh units) and from then on nothing is applied
        for (int i = 0; i < 20; i++) {
            StepResult r = session.step();
            assertFalse(Double.isFinite(r.loss()), "step " + r.step());
            if (i >= 5) assertTrue(r.skipped() && DefaultRules.exploding(r.layers()), "step " + r.step());
        }
        assertTrue(session.skippedSteps() >= 15, "skipped " + session.skippedSteps());
    }

    /** c = the 10th percentile of the pre-clip norms seen so far (p10), or 1.0. */
    @ParameterizedTest(name = "clip at step {0} to {1}")
    @CsvSource({"5, p10", "5, 1.0", "12, p10", "12, 1.0", "20, p10", "20, 1.0", "30, p10", "30, 1.0", "40, p10", "40, 1.0"})
    void explodingDemoClippedAtAStepFrom5To40KeepsAFiniteLossFor600MoreSteps(int clipStep, String threshold) {
        TrainingSession session = TrainingSession.create(ModelSpec.explodingDemo());
        List<Double> preClipNorms = new ArrayList<>();
        for (int i = 0; i < clipStep; i++) preClipNorms.add(session.step().preClipNorm());
        double c = threshold.equals("p10") ? percentile10(preClipNorms) : Double.parseDouble(threshold);
        session.setClipNorm(c);
        for (int i = 0; i < 600; i++) {
            StepResult r = session.step();
            assertTrue(Double.isFinite(r.loss()), "clip " + c + " from step " + clipStep + ": loss " + r.loss() + " at step " + r.step());
            assertFalse(r.skipped(), "step " + r.step());
        }
    }

    private static double percentile10(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        assertTrue(Arrays.stream(sorted).allMatch(Double::isFinite));
        return sorted[(int) Math.floor(0.1 * (sorted.length - 1))];
    }

    @Test
    void everyPresetStepsWellUnderFiveMilliseconds() {
        for (ModelSpec spec : List.of(ModelSpec.vanishingDemo(), ModelSpec.explodingDemo(), ModelSpec.healthyDemo())) {
            TrainingSession session = TrainingSession.create(spec);
            for (int i = 0; i < 300; i++) session.step();
            long[] nanos = new long[300];
            for (int i = 0; i < nanos.length; i++) {
                long t0 = System.nanoTime();
                session.step();
                nanos[i] = System.nanoTime() - t0;
            }
            Arrays.sort(nanos);
            double medianMs = nanos[nanos.length / 2] / 1e6;
            System.out.printf("%s: median step %.3f ms%n", spec.name(), medianMs);
            assertTrue(medianMs < 5, spec.name() + " median step " + medianMs + " ms");
        }
    }
}
