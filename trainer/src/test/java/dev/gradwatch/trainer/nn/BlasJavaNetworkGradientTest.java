package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.MatrixOps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** {@link NetworkGradientTest} through netlib-java's Java BLAS, the fallback of a machine without a native one. */
class BlasJavaNetworkGradientTest extends NetworkGradientTest {

    private MatrixOps.Backend before;

    @BeforeEach
    void useJavaBlas() {
        before = MatrixOps.backend();
        MatrixOps.setBackend(MatrixOps.Backend.BLAS_JAVA);
    }

    @AfterEach
    void restore() {
        MatrixOps.setBackend(before);
    }
}
