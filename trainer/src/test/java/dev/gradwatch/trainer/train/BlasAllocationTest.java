package dev.gradwatch.trainer.train;

import dev.gradwatch.trainer.engine.MatrixOps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** {@link AllocationTest} with the products through BLAS: dgemm through JNI allocates no Java heap either. */
class BlasAllocationTest extends AllocationTest {

    private MatrixOps.Backend before;

    @BeforeEach
    void useBlas() {
        before = MatrixOps.backend();
        MatrixOps.setBackend(MatrixOps.Backend.BLAS);
    }

    @AfterEach
    void restore() {
        MatrixOps.setBackend(before);
    }
}
