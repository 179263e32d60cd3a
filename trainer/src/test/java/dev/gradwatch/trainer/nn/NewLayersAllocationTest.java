package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.optim.Sgd;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A warmed-up step through every new layer and the softmax cross-entropy allocates nothing. */
class NewLayersAllocationTest {

    @Test
    void aSteadyStateStepThroughTheNewLayersAllocatesNothing() {
        long perStep = NewLayersAllocationProbe.bytesPerStep(ps -> new Sgd(ps, 0.01, 0.9));
        assertTrue(perStep < 64, perStep + " bytes per step");
    }
}
