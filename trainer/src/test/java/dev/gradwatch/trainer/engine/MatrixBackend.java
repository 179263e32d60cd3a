package dev.gradwatch.trainer.engine;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs each test of a class with the matrix products on one backend and puts the previous backend
 * back afterwards: {@code @RegisterExtension final MatrixBackend blas = new MatrixBackend(Backend.BLAS);}
 * in a subclass reruns the inherited tests on that backend.
 */
public final class MatrixBackend implements BeforeEachCallback, AfterEachCallback {

    private final MatrixOps.Backend backend;
    private MatrixOps.Backend before;

    public MatrixBackend(MatrixOps.Backend backend) {
        this.backend = backend;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        before = MatrixOps.backend();
        MatrixOps.setBackend(backend);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        MatrixOps.setBackend(before);
    }
}
