package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;

/** L = (1/N) Σ (Y − T)² over all N entries, PyTorch's {@code MSELoss} with mean reduction. */
public final class MeanSquaredError implements Loss {

    private final DMatrixRMaj dY = new DMatrixRMaj(1, 1);
    private DMatrixRMaj Y;
    private DMatrixRMaj T;

    @Override
    public String name() {
        return "mse";
    }

    @Override
    public double forward(DMatrixRMaj Y, DMatrixRMaj T) {
        checkSameShape(Y, T);
        this.Y = Y;
        this.T = T;
        double[] y = Y.data, t = T.data;
        int n = Y.getNumElements();
        double s = 0;
        for (int i = 0; i < n; i++) {
            double e = y[i] - t[i];
            s += e * e;
        }
        return s / n;
    }

    @Override
    public DMatrixRMaj backward() {
        // dY = 2 (Y − T) / N
        dY.reshape(Y.numRows, Y.numCols);
        double[] y = Y.data, t = T.data, d = dY.data;
        int n = Y.getNumElements();
        double k = 2.0 / n;
        for (int i = 0; i < n; i++) d[i] = k * (y[i] - t[i]);
        return dY;
    }

    static void checkSameShape(DMatrixRMaj Y, DMatrixRMaj T) {
        if (Y.numRows != T.numRows || Y.numCols != T.numCols) {
            throw new IllegalArgumentException("predictions are " + Y.numRows + "x" + Y.numCols
                    + " but targets are " + T.numRows + "x" + T.numCols);
        }
    }
}
