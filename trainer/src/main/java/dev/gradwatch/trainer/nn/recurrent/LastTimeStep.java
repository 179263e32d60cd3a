package dev.gradwatch.trainer.nn.recurrent;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.Arrays;
import java.util.List;

/**
 * Takes the last time step of a time-major (T·B) × features sequence (the layout of
 * {@link RecurrentLayer}): the B × features block of h_{T−1}, so that a dense head can read a
 * recurrent layer's final state. Backward puts the gradient in that block and zero elsewhere.
 */
public final class LastTimeStep implements Layer {

    private final String name;
    private int timeSteps;
    private final DMatrixRMaj Y = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj dX = new DMatrixRMaj(1, 1);
    private int rows;

    public LastTimeStep(String name, int timeSteps) {
        this.name = name;
        setTimeSteps(timeSteps);
    }

    /** Sets T; must match the recurrent layer before it. */
    public void setTimeSteps(int timeSteps) {
        if (timeSteps < 1) throw new IllegalArgumentException(name + ": timeSteps must be >= 1, got " + timeSteps);
        this.timeSteps = timeSteps;
    }

    public int timeSteps() {
        return timeSteps;
    }

    @Override
    public DMatrixRMaj forward(DMatrixRMaj X) {
        if (X.numRows == 0 || X.numRows % timeSteps != 0) {
            throw new IllegalArgumentException(name + ": expected (timeSteps·batch) = " + timeSteps
                    + "·B input rows, got " + X.numRows);
        }
        rows = X.numRows;
        int batch = rows / timeSteps, block = batch * X.numCols;
        Y.reshape(batch, X.numCols);
        // Y = X's block T−1
        System.arraycopy(X.data, (timeSteps - 1) * block, Y.data, 0, block);
        return Y;
    }

    @Override
    public DMatrixRMaj backward(DMatrixRMaj dA) {
        int block = dA.getNumElements();
        dX.reshape(rows, dA.numCols);
        // dX = 0 except block T−1 = dA
        Arrays.fill(dX.data, 0, (timeSteps - 1) * block, 0);
        System.arraycopy(dA.data, 0, dX.data, (timeSteps - 1) * block, block);
        return dX;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "last-time-step";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }
}
