package dev.gradwatch.trainer.optim;

import dev.gradwatch.trainer.engine.Parameter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** SGD's coupled L2 weight decay, by hand: g′ = g + λ·w goes through momentum like the gradient. */
class SgdWeightDecayTest {

    @Test
    void plainSgdStepsAlongTheGradientPlusTheDecay() {
        Parameter p = new Parameter("w", 1, 2);
        p.value().data[0] = 1.0;
        p.value().data[1] = -2.0;
        p.grad().data[0] = 0.5;
        p.grad().data[1] = 0.0;
        new Sgd(List.of(p), 0.1, 0, false, 0.1).step();
        // w − η·(g + λ·w): 1 − 0.1·(0.5 + 0.1) = 0.94;  −2 − 0.1·(0 − 0.2) = −1.98
        assertEquals(0.94, p.value().data[0], 1e-15);
        assertEquals(-1.98, p.value().data[1], 1e-15);
        assertEquals(0.5, p.grad().data[0], "the stored gradient is left alone");
    }

    @Test
    void withMomentumTheDecayedGradientEntersTheVelocity() {
        Parameter p = new Parameter("w", 1, 1);
        p.value().data[0] = 1.0;
        p.grad().data[0] = 1.0;
        Sgd sgd = new Sgd(List.of(p), 0.1, 0.5, false, 0.2);
        sgd.step();
        // v = 1 + 0.2·1 = 1.2;  w = 1 − 0.12 = 0.88
        assertEquals(0.88, p.value().data[0], 1e-15);
        sgd.step();
        // g′ = 1 + 0.2·0.88 = 1.176;  v = 0.5·1.2 + 1.176 = 1.776;  w = 0.88 − 0.1776 = 0.7024
        assertEquals(0.7024, p.value().data[0], 1e-14);
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(p), 0.1, 0, false, -1));
    }
}
