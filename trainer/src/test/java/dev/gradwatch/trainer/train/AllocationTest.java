package dev.gradwatch.trainer.train;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A warmed-up training step allocates (almost) nothing: buffers are predeclared and reused. */
class AllocationTest {

    private static final int WARM_UP_STEPS = 4000;
    private static final int MEASURED_STEPS = 2000;
    private static final long MAX_BYTES_PER_STEP = 1024;

    @Test
    void aSteadyStateStepAllocatesLessThanOneKibibyte() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (ModelSpec spec : List.of(ModelSpec.healthyDemo(), ModelSpec.vanishingDemo())) {
            TrainingSession session = TrainingSession.create(spec);
            double sink = 0;
            for (int i = 0; i < WARM_UP_STEPS; i++) sink += session.step().loss();
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < MEASURED_STEPS; i++) {
                StepResult r = session.step();
                sink += r.loss() + r.layers().size();
            }
            long perStep = (threads.getCurrentThreadAllocatedBytes() - before) / MEASURED_STEPS;
            System.out.printf("%s: %d bytes allocated per step (loss sum %.3f)%n", spec.name(), perStep, sink);
            assertTrue(perStep < MAX_BYTES_PER_STEP, spec.name() + " allocates " + perStep + " bytes per step");
        }
    }
}
