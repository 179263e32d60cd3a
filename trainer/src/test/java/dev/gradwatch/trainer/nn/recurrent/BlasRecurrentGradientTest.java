package dev.gradwatch.trainer.nn.recurrent;

import dev.gradwatch.trainer.engine.MatrixBackend;
import dev.gradwatch.trainer.engine.MatrixOps;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Backpropagation through time against central differences ({@link RecurrentGradientTest}) with every
 * product, the per-time-step ones included, through netlib-java's BLAS (the native library where
 * installed, its Java implementation otherwise).
 */
class BlasRecurrentGradientTest extends RecurrentGradientTest {

    @RegisterExtension
    final MatrixBackend backend = new MatrixBackend(MatrixOps.Backend.BLAS);
}
