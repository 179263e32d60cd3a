package dev.gradwatch.trainer.train;

import dev.gradwatch.trainer.engine.MatrixOps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link ReproducibilityTest} with the products through BLAS: a run is bit-reproducible for a given
 * backend (and, for a native BLAS, a given library and thread count) and seed.
 */
class BlasReproducibilityTest extends ReproducibilityTest {

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
