package dev.gradwatch.trainer.data;

import org.ejml.data.DMatrixRMaj;

/** An endless stream of training batches, one sample per row. */
public interface BatchSource {

    int inputDim();

    int outputDim();

    /**
     * Writes the next batch into X (reshaped to batchSize × inputDim) and its targets into T
     * (batchSize × outputDim), allocating nothing once the buffers are large enough.
     */
    void nextBatch(int batchSize, DMatrixRMaj X, DMatrixRMaj T);
}
