package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.MatrixOps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The dense network's finite-difference checks ({@link NetworkGradientTest}) with every product
 * through netlib-java's BLAS (the native library where installed, its Java implementation otherwise).
 */
class BlasNetworkGradientTest extends NetworkGradientTest {

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
