package dev.gradwatch.trainer.train;

import dev.gradwatch.trainer.model.ModelFile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A warmed-up step of a model-file run, probe included, allocates no more than its small
 * {@link ModelRun.Step} (40 bytes): also with parametrised activations (elu:α, leaky-relu:slope), whose names
 * are built on each call and so must not be looked up per step.
 */
class ModelRunAllocationTest {

    private static final int WARM_UP_STEPS = 3000;
    private static final int MEASURED_STEPS = 1000;
    private static final long MAX_BYTES_PER_STEP = 96;

    @Test
    void aSteadyStateStepAllocatesOnlyItsResult() throws IOException {
        ModelFile file = ModelFile.parse("""
                input: 6
                layers:
                  - {type: dense, size: 16, activation: "elu:0.5"}
                  - {type: dense, size: 16, activation: "leaky-relu:0.1"}
                  - {type: dense, size: 16, activation: tanh}
                  - {type: dense, size: 1}
                loss: mse
                optimizer: {type: sgd, lr: 0.01, momentum: 0.9}
                data: {type: teacher-regression, test-size: 100}
                batch: 16
                steps: 100000
                """, false, "alloc");
        ModelRun run = ModelRun.create(file);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        double sink = 0;
        for (int i = 0; i < WARM_UP_STEPS; i++) sink += run.step().loss();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED_STEPS; i++) sink += run.step().loss();
        long perStep = (threads.getCurrentThreadAllocatedBytes() - before) / MEASURED_STEPS;
        System.out.printf("model-file run: %d bytes allocated per step (loss sum %.3f)%n", perStep, sink);
        assertTrue(perStep <= MAX_BYTES_PER_STEP, "a step allocates " + perStep + " bytes");
    }
}
