package dev.gradwatch.cli;

import dev.gradwatch.trainer.engine.MatrixOps;
import picocli.CommandLine.Option;

/**
 * {@code --backend}: where the trainer's matrix products are computed, for the whole process (see
 * {@link MatrixOps}). Without it the process keeps the backend that {@code GRADWATCH_MATRIX_BACKEND}
 * or {@code -Dgradwatch.matrix.backend} chose, EJML by default.
 */
final class BackendOption {

    @Option(names = "--backend", paramLabel = "NAME",
            description = "matrix backend: ejml, ejml-concurrent, blas (native OpenBLAS where installed) or blas-java "
                    + "(default: ${env:GRADWATCH_MATRIX_BACKEND:-ejml})")
    String backend;

    /**
     * Switches the process to the chosen backend and returns the one in force before, to restore;
     * a name that is not a backend is refused with the option and the names it accepts.
     */
    MatrixOps.Backend apply() {
        MatrixOps.Backend before = MatrixOps.backend();
        if (backend != null) {
            try {
                MatrixOps.setBackend(MatrixOps.Backend.parse(backend));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--backend: " + e.getMessage(), e);
            }
        }
        return before;
    }
}
