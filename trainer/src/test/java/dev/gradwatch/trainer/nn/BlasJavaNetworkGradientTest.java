package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.MatrixBackend;
import dev.gradwatch.trainer.engine.MatrixOps;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link NetworkGradientTest} through netlib-java's Java BLAS, the fallback of a machine without a native one. */
class BlasJavaNetworkGradientTest extends NetworkGradientTest {

    @RegisterExtension
    final MatrixBackend backend = new MatrixBackend(MatrixOps.Backend.BLAS_JAVA);
}
