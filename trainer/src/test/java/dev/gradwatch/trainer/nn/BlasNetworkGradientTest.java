package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.MatrixBackend;
import dev.gradwatch.trainer.engine.MatrixOps;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dense network's finite-difference checks ({@link NetworkGradientTest}) with every product
 * through netlib-java's BLAS (the native library where installed, its Java implementation otherwise).
 */
class BlasNetworkGradientTest extends NetworkGradientTest {

    @RegisterExtension
    final MatrixBackend backend = new MatrixBackend(MatrixOps.Backend.BLAS);
}
