package dev.gradwatch.trainer.optim;

import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.nn.NewLayersAllocationProbe;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Optimizer steps and schedules against values worked out by hand. */
class AdamNesterovScheduleTest {

    /** One scalar parameter w = 1 whose gradients are 0.5 then −0.25. */
    private static double[] twoSteps(Optimizer opt, Parameter w) {
        double[] out = new double[2];
        double[] grads = {0.5, -0.25};
        for (int s = 0; s < 2; s++) {
            w.grad().set(0, 0, grads[s]);
            opt.step();
            out[s] = w.value().get(0, 0);
        }
        return out;
    }

    private static Parameter scalar(double value) {
        Parameter p = new Parameter("w", 1, 1);
        p.value().set(0, 0, value);
        return p;
    }

    @Test
    void adamFirstTwoStepsMatchTheHandComputation() {
        // η = 0.1, β = (0.9, 0.999), ε = 1e-8.
        // t = 1: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25, w = 1 − 0.1·0.5/(0.5 + 1e-8) = 0.90000000199999996
        // t = 2: m = 0.045 − 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225,
        //        m̂ = 0.02/0.19, v̂ = 0.00031225/0.001999, w = 0.9000000020 − 0.1·m̂/(√v̂ + 1e-8)
        Parameter w = scalar(1);
        double[] got = twoSteps(Adam.adam(List.of(w), 0.1), w);
        assertEquals(0.90000000199999996, got[0], 1e-15);
        assertEquals(0.87336629870784616, got[1], 1e-15);
        assertEquals(0.1 * 0.5 / (0.5 + 1e-8), 1 - got[0], 1e-15);
        assertEquals(0.1 * (0.02 / 0.19) / (Math.sqrt(0.00031225 / 0.001999) + 1e-8), got[0] - got[1], 1e-15);
    }

    @Test
    void adamWDecaysTheWeightsApartFromTheMoments() {
        // λ = 0.01: w ← w·(1 − 0.1·0.01) first, then the same Adam steps as above (the moments
        // never see λ): t = 1: 0.999 − 0.09999999800 = 0.89900000200; t = 2: 0.899000002·0.999 − 0.02663...
        Parameter w = scalar(1);
        Adam opt = Adam.adamW(List.of(w), 0.1, 0.01);
        double[] got = twoSteps(opt, w);
        assertEquals(0.89900000199999996, got[0], 1e-15);
        assertEquals(0.87146729870584616, got[1], 1e-15);
        assertEquals(2, opt.stepCount());
        assertTrue(opt.decoupled());
    }

    @Test
    void adamWithCoupledWeightDecayAddsTheL2GradientBeforeTheMoments() {
        // g ← g + 0.01·w: g₁ = 0.51, g₂ = −0.25 + 0.01·w₁; the moments see the decay
        Parameter w = scalar(1);
        double[] got = twoSteps(new Adam(List.of(w), 0.1, 0.9, 0.999, 1e-8, 0.01, false), w);
        assertEquals(0.90000000196078428, got[0], 1e-15);
        assertEquals(0.87122934762317399, got[1], 1e-15);
    }

    @Test
    void adamRecordsTheUpdateItApplied() {
        Parameter w = scalar(1);
        w.grad().set(0, 0, 3);
        Adam.adam(List.of(w), 0.01).step();
        // first Adam step moves each weight by about η·sign(g)
        assertEquals(0.01 * 0.01, w.lastUpdateSquaredNorm(), 1e-12);
    }

    @Test
    void nesterovLooksOneMomentumStepAhead() {
        // μ = 0.9, η = 0.1, g = 0.5 twice.
        // t = 1: v = 0.5, w = 1 − 0.1·(0.5 + 0.9·0.5) = 0.905
        // t = 2: v = 0.9·0.5 + 0.5 = 0.95, w = 0.905 − 0.1·(0.5 + 0.9·0.95) = 0.7695
        Parameter w = scalar(1);
        Sgd opt = new Sgd(List.of(w), 0.1, 0.9, true);
        w.grad().set(0, 0, 0.5);
        opt.step();
        assertEquals(0.905, w.value().get(0, 0), 1e-15);
        opt.step();
        assertEquals(0.7695, w.value().get(0, 0), 1e-15);

        // heavy-ball for comparison: 1 − 0.05 = 0.95, then 0.95 − 0.1·0.95 = 0.855
        Parameter h = scalar(1);
        Sgd heavy = new Sgd(List.of(h), 0.1, 0.9);
        h.grad().set(0, 0, 0.5);
        heavy.step();
        heavy.step();
        assertEquals(0.855, h.value().get(0, 0), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(h), 0.1, 0, true));
    }

    @Test
    void schedulesGiveTheirFactorAtChosenSteps() {
        LearningRateSchedule constant = new LearningRateSchedule.Constant();
        assertEquals(1.0, constant.factor(0));
        assertEquals(1.0, constant.factor(1_000_000));

        LearningRateSchedule step = new LearningRateSchedule.Step(10, 0.5);
        assertEquals(1.0, step.factor(0));
        assertEquals(1.0, step.factor(9));
        assertEquals(0.5, step.factor(10));
        assertEquals(0.25, step.factor(25));

        LearningRateSchedule cosine = new LearningRateSchedule.Cosine(100, 0);
        assertEquals(1.0, cosine.factor(0));
        assertEquals(0.5, cosine.factor(50), 1e-15);
        assertEquals((1 + Math.cos(Math.PI / 4)) / 2, cosine.factor(25), 1e-15);
        assertEquals(0.0, cosine.factor(100), 1e-15);
        assertEquals(0.0, cosine.factor(150));
        assertEquals(0.55, new LearningRateSchedule.Cosine(100, 0.1).factor(50), 1e-15);

        // 5 warm-up steps at 1/5 … 5/5, then the cosine restarted at its own step 0
        LearningRateSchedule warm = new LearningRateSchedule.Warmup(5, cosine);
        assertEquals(0.2, warm.factor(0), 1e-15);
        assertEquals(0.6, warm.factor(2), 1e-15);
        assertEquals(1.0, warm.factor(4), 1e-15);
        assertEquals(1.0, warm.factor(5), 1e-15);
        assertEquals(0.5, warm.factor(55), 1e-15);
        assertEquals(0.0, warm.factor(105), 1e-15);

        LearningRateSchedule warmStep = new LearningRateSchedule.Warmup(4, step);
        assertEquals(0.5, warmStep.factor(1), 1e-15);
        assertEquals(0.5, warmStep.factor(14), 1e-15);

        Sgd opt = new Sgd(List.of(scalar(0)), 1);
        warm.apply(opt, 0.3, 55);
        assertEquals(0.15, opt.learningRate(), 1e-15);
    }

    @Test
    void schedulesRejectBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule.Step(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule.Step(5, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule.Cosine(10, -0.1));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule.Warmup(3, null));
    }

    @Test
    void adamAndNesterovStepsAllocateNothing() {
        assertTrue(NewLayersAllocationProbe.bytesPerStep(ps -> Adam.adamW(ps, 1e-3, 0.01)) < 64);
        assertTrue(NewLayersAllocationProbe.bytesPerStep(ps -> new Sgd(ps, 0.01, 0.9, true)) < 64);
    }
}
