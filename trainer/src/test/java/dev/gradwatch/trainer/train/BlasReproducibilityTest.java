package dev.gradwatch.trainer.train;

import dev.gradwatch.trainer.engine.MatrixBackend;
import dev.gradwatch.trainer.engine.MatrixOps;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ReproducibilityTest} with the products through BLAS: a run is bit-reproducible for a given
 * backend (and, for a native BLAS, a given library and thread count) and seed.
 */
class BlasReproducibilityTest extends ReproducibilityTest {

    @RegisterExtension
    final MatrixBackend backend = new MatrixBackend(MatrixOps.Backend.BLAS);
}
