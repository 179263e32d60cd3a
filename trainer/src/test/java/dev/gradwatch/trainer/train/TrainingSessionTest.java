package dev.gradwatch.trainer.train;

import dev.gradwatch.events.LayerStats;
import dev.gradwatch.trainer.engine.Parameter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingSessionTest {

    private static ModelSpec small(double clip) {
        return new ModelSpec("small", 8, 16, 3, 2, "tanh", "xavier-uniform", "mse", 0.05, 16, 42, clip);
    }

    private static List<double[]> weights(TrainingSession session) {
        List<double[]> out = new ArrayList<>();
        for (Parameter p : session.model().parameters()) out.add(p.value().data.clone());
        return out;
    }

    @Test
    void stepsAreNumberedFromZeroAndCounted() {
        TrainingSession session = TrainingSession.create(small(Double.POSITIVE_INFINITY));
        assertEquals(0, session.stepCount());
        assertEquals(0, session.step().step());
        assertEquals(1, session.stepCount());
        assertEquals(1, session.step().step());
        assertEquals(2, session.stepCount());
    }

    @Test
    void everyDenseLayerIsReportedWithItsActivationAndParameterCount() {
        List<LayerStats> layers = TrainingSession.create(small(Double.POSITIVE_INFINITY)).step().layers();
        assertEquals(3, layers.size());
        assertEquals(List.of("dense0", "dense1", "dense2"), layers.stream().map(LayerStats::name).toList());
        assertEquals(List.of("dense/tanh", "dense/tanh", "dense/linear"), layers.stream().map(LayerStats::kind).toList());
        assertEquals(List.of(8L * 16 + 16, 16L * 16 + 16, 16L * 2 + 2), layers.stream().map(LayerStats::paramCount).toList());
        for (int i = 0; i < 3; i++) assertEquals(i, layers.get(i).index());
    }

    @Test
    void aNonFiniteGradientIsNeverAppliedTheStepIsSkippedAndCounted() {
        TrainingSession session = TrainingSession.create(small(Double.POSITIVE_INFINITY));
        session.step();
        Parameter w0 = session.model().parameters().get(0);
        double saved = w0.value().data[0];
        w0.value().data[0] = Double.NaN;
        List<double[]> before = weights(session);

        StepResult r = session.step();

        assertTrue(r.skipped());
        assertEquals(1, session.skippedSteps());
        assertTrue(Double.isNaN(r.preClipNorm()));
        List<double[]> after = weights(session);
        for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), after.get(i), "parameter " + i);
        for (LayerStats l : r.layers()) {
            assertTrue(l.hasNonFinite(), l.name());
            assertEquals(0.0, l.updateRatio(), l.name());
        }

        w0.value().data[0] = saved;
        StepResult next = session.step();
        assertFalse(next.skipped());
        assertEquals(1, session.skippedSteps());
        assertTrue(next.layers().get(0).updateRatio() > 0);
    }

    @Test
    void clippingBoundsTheAppliedUpdateToLearningRateTimesTheClipNorm() {
        double clip = 1e-3;
        TrainingSession session = TrainingSession.create(small(clip));
        StepResult r = session.step();
        assertTrue(r.preClipNorm() > clip, "the test needs a gradient above the clip norm, got " + r.preClipNorm());
        double updateSq = 0;
        for (Parameter p : session.model().parameters()) updateSq += p.lastUpdateSquaredNorm();
        double expected = session.learningRate() * clip * r.preClipNorm() / (r.preClipNorm() + 1e-6);
        assertEquals(expected, Math.sqrt(updateSq), 1e-12 * expected);
    }

    @Test
    void updateRatioOfUnclippedSgdIsLearningRateTimesGradientNormOverWeightNorm() {
        TrainingSession session = TrainingSession.create(small(Double.POSITIVE_INFINITY));
        for (LayerStats l : session.step().layers()) {
            double expected = session.learningRate() * l.gradL2() / l.weightL2();
            assertEquals(expected, l.updateRatio(), 1e-9 * expected, l.name());
        }
    }

    @Test
    void controlCommandsChangeClipNormAndLearningRateAndRejectNonsense() {
        TrainingSession session = TrainingSession.create(small(Double.POSITIVE_INFINITY));
        assertEquals(Double.POSITIVE_INFINITY, session.clipNorm());
        session.setClipNorm(2.5);
        assertEquals(2.5, session.clipNorm());
        session.setClipNorm(Double.POSITIVE_INFINITY);
        assertThrows(IllegalArgumentException.class, () -> session.setClipNorm(0));
        assertThrows(IllegalArgumentException.class, () -> session.setClipNorm(Double.NaN));
        session.scaleLearningRate(0.5);
        assertEquals(0.025, session.learningRate(), 1e-17);
        assertThrows(IllegalArgumentException.class, () -> session.scaleLearningRate(0));
        assertThrows(IllegalArgumentException.class, () -> session.scaleLearningRate(Double.POSITIVE_INFINITY));
        assertEquals(0.025, session.learningRate(), 1e-17);
    }

    @Test
    void aStepResultsLayersCannotBeReadAfterTheNextStepButADetachedCopyCan() {
        TrainingSession session = TrainingSession.create(small(Double.POSITIVE_INFINITY));
        StepResult first = session.step();
        StepResult kept = first.detached();
        List<LayerStats> copied = List.copyOf(first.layers());
        session.step();
        assertThrows(IllegalStateException.class, () -> first.layers().get(0));
        assertEquals(copied, kept.layers());
        assertEquals(first.loss(), kept.loss());
    }

    @Test
    void specErrorsNameTheFieldAndTheAcceptedValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ModelSpec("x", 8, 16, 3, 1, "softplus", "he-normal", "mse", 0.1, 8, 1, 1));
        assertTrue(e.getMessage().startsWith("activation must be one of"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ModelSpec("x", 8, 16, 0, 1, "relu", "he-normal", "mse", 0.1, 8, 1, 1));
        assertTrue(e.getMessage().startsWith("depth must be >= 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ModelSpec("x", 8, 16, 3, 1, "relu", "he-normal", "mse", 0.1, 8, 1, Double.NaN));
        assertTrue(e.getMessage().startsWith("initialClipNorm"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.preset("fast"));
        assertEquals(ModelSpec.healthyDemo(), ModelSpec.preset("healthy"));
        assertEquals(7, ModelSpec.healthyDemo().withSeed(7).seed());
    }
}
