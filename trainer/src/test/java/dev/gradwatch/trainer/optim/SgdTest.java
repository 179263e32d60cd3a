package dev.gradwatch.trainer.optim;

import dev.gradwatch.trainer.engine.Parameter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SgdTest {

    private static Parameter param(double[] w, double[] g) {
        Parameter p = new Parameter("p", 1, w.length);
        System.arraycopy(w, 0, p.value().data, 0, w.length);
        System.arraycopy(g, 0, p.grad().data, 0, g.length);
        return p;
    }

    @Test
    void plainSgdStepsAgainstTheGradientAndRecordsTheUpdateNorm() {
        Parameter p = param(new double[]{1, 2}, new double[]{0.5, -1});
        new Sgd(List.of(p), 0.1).step();
        assertArrayEquals(new double[]{0.95, 2.1}, p.value().data, 1e-15);
        // ‖Δw‖² = 0.05² + 0.1²
        assertEquals(0.0125, p.lastUpdateSquaredNorm(), 1e-15);
    }

    @Test
    void momentumAccumulatesVelocityAsPyTorchDoes() {
        Parameter p = param(new double[]{1}, new double[]{2});
        Sgd sgd = new Sgd(List.of(p), 0.1, 0.9);
        sgd.step(); // v = 2, w = 1 − 0.2
        assertEquals(0.8, p.value().data[0], 1e-15);
        sgd.step(); // v = 0.9·2 + 2 = 3.8, w = 0.8 − 0.38
        assertEquals(0.42, p.value().data[0], 1e-15);
        assertEquals(0.38 * 0.38, p.lastUpdateSquaredNorm(), 1e-15);
    }

    @Test
    void learningRateCanBeChangedButMustStayPositiveAndFinite() {
        Sgd sgd = new Sgd(List.of(param(new double[]{1}, new double[]{1})), 0.1);
        sgd.setLearningRate(0.05);
        assertEquals(0.05, sgd.learningRate());
        assertThrows(IllegalArgumentException.class, () -> sgd.setLearningRate(0));
        assertThrows(IllegalArgumentException.class, () -> sgd.setLearningRate(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(), 0.1, 1.0));
    }
}
