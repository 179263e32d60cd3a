package dev.gradwatch.trainer.train;

import dev.gradwatch.events.LayerStats;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Same spec and seed, bit-identical run: every loss, norm and statistic, step for step. */
class ReproducibilityTest {

    private static long[] fingerprint(ModelSpec spec, int steps) {
        TrainingSession session = TrainingSession.create(spec);
        int layers = spec.depth();
        long[] bits = new long[steps * (2 + 2 * layers)];
        int k = 0;
        for (int i = 0; i < steps; i++) {
            StepResult r = session.step();
            bits[k++] = Double.doubleToLongBits(r.loss());
            bits[k++] = Double.doubleToLongBits(r.preClipNorm());
            List<LayerStats> stats = r.layers();
            for (LayerStats l : stats) {
                bits[k++] = Double.doubleToLongBits(l.gradL2());
                bits[k++] = Double.doubleToLongBits(l.updateRatio());
            }
        }
        return bits;
    }

    @Test
    void sameSpecAndSeedGiveBitIdenticalRuns() {
        for (ModelSpec spec : List.of(ModelSpec.vanishingDemo(), ModelSpec.explodingDemo(), ModelSpec.healthyDemo())) {
            long[] a = fingerprint(spec, 300);
            long[] b = fingerprint(spec, 300);
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], spec.name() + ": value " + i + " differs");
            }
        }
    }

    @Test
    void anotherSeedGivesAnotherRun() {
        ModelSpec spec = ModelSpec.healthyDemo();
        assertNotEquals(fingerprint(spec, 5)[0], fingerprint(spec.withSeed(spec.seed() + 1), 5)[0]);
    }
}
