package dev.gradwatch.cli;

import dev.gradwatch.trainer.engine.MatrixOps;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

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
     * Runs {@code command} with the process on the chosen backend, then puts back the backend that was
     * in force; a name that is not a backend is refused with the option and the names it accepts.
     */
    <T> T around(Callable<T> command) throws Exception {
        MatrixOps.Backend before = MatrixOps.backend();
        if (backend != null) {
            try {
                MatrixOps.setBackend(MatrixOps.Backend.parse(backend));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--backend: " + e.getMessage(), e);
            }
        }
        try {
            return command.call();
        } finally {
            MatrixOps.setBackend(before);
        }
    }
}
