package dev.gradwatch.trainer.train;

import dev.gradwatch.trainer.engine.MatrixBackend;
import dev.gradwatch.trainer.engine.MatrixOps;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link AllocationTest} with the products through BLAS: dgemm through JNI allocates no Java heap either. */
class BlasAllocationTest extends AllocationTest {

    @RegisterExtension
    final MatrixBackend backend = new MatrixBackend(MatrixOps.Backend.BLAS);
}
