package dev.gradwatch.trainer.nn.recurrent;

import org.ejml.data.DMatrixRMaj;

/**
 * Converts between T separate batch × features matrices and the one time-major (T·B) × features
 * matrix that recurrent layers read and write (rows t·B … t·B + B − 1 hold time step t). Each is
 * one array copy per step, so the layout costs nothing to adopt.
 */
public final class TimeMajor {

    private TimeMajor() {
    }

    /** out = [X₀; X₁; …; X_{T−1}], reshaped to (T·B) × features; every Xₜ must be B × features. */
    public static DMatrixRMaj stack(DMatrixRMaj[] steps, DMatrixRMaj out) {
        if (steps.length == 0) throw new IllegalArgumentException("no time steps to stack");
        int batch = steps[0].numRows, features = steps[0].numCols, block = batch * features;
        for (int t = 1; t < steps.length; t++) {
            if (steps[t].numRows != batch || steps[t].numCols != features) {
                throw new IllegalArgumentException("time step " + t + " is " + steps[t].numRows + "x" + steps[t].numCols
                        + " but step 0 is " + batch + "x" + features);
            }
        }
        out.reshape(steps.length * batch, features);
        for (int t = 0; t < steps.length; t++) System.arraycopy(steps[t].data, 0, out.data, t * block, block);
        return out;
    }

    /** out = time step t of a (T·B) × features sequence, reshaped to B × features. */
    public static DMatrixRMaj step(DMatrixRMaj sequence, int timeSteps, int t, DMatrixRMaj out) {
        if (timeSteps < 1 || sequence.numRows % timeSteps != 0) {
            throw new IllegalArgumentException(sequence.numRows + " rows are not " + timeSteps + " time steps of a batch");
        }
        if (t < 0 || t >= timeSteps) throw new IllegalArgumentException("time step " + t + " outside 0 … " + (timeSteps - 1));
        int batch = sequence.numRows / timeSteps, block = batch * sequence.numCols;
        out.reshape(batch, sequence.numCols);
        System.arraycopy(sequence.data, t * block, out.data, 0, block);
        return out;
    }
}
