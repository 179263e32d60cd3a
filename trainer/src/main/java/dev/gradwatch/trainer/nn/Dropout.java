package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Inverted dropout (Srivastava, Hinton, Krizhevsky, Sutskever and Salakhutdinov 2014, "Dropout: A
 * Simple Way to Prevent Neural Networks from Overfitting", JMLR): in training each entry is kept
 * with probability 1 − p and scaled by 1/(1 − p), so evaluation is the identity with no rescaling.
 * The mask is drawn from the layer's own seeded stream, so a seed gives the same masks.
 */
public final class Dropout implements Layer, TrainingMode {

    private final String name;
    private final double p;
    private SplittableRandom rng;
    private boolean training = true;
    private boolean lastForwardTrained;
    private final DMatrixRMaj M = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj Y = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj dX = new DMatrixRMaj(1, 1);
    private boolean inputGradientNeeded = true;

    /** @param p the probability of dropping an entry, in [0, 1) */
    public Dropout(String name, double p, long seed) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException(name + ": drop probability must be in [0, 1), got " + p);
        this.name = name;
        this.p = p;
        this.rng = new SplittableRandom(seed);
    }

    /** Restarts the mask stream: the next forwards draw the masks a new layer with this seed would. */
    public void reseed(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    @Override
    public DMatrixRMaj forward(DMatrixRMaj X) {
        int n = X.getNumElements();
        Y.reshape(X.numRows, X.numCols);
        double[] x = X.data, y = Y.data;
        lastForwardTrained = training;
        if (!training) {
            System.arraycopy(x, 0, y, 0, n);
            return Y;
        }
        M.reshape(X.numRows, X.numCols);
        double[] m = M.data;
        double keep = 1 / (1 - p);
        // M = [u ≥ p]/(1 − p), u ~ U[0, 1);  Y = X ⊙ M
        for (int i = 0; i < n; i++) {
            m[i] = rng.nextDouble() >= p ? keep : 0;
            y[i] = x[i] * m[i];
        }
        return Y;
    }

    @Override
    public DMatrixRMaj backward(DMatrixRMaj dY) {
        if (!inputGradientNeeded) return null;
        int n = dY.getNumElements();
        dX.reshape(dY.numRows, dY.numCols);
        double[] dy = dY.data, dx = dX.data;
        if (!lastForwardTrained) {
            System.arraycopy(dy, 0, dx, 0, n);
            return dX;
        }
        // dX = dY ⊙ M
        double[] m = M.data;
        for (int i = 0; i < n; i++) dx[i] = dy[i] * m[i];
        return dX;
    }

    /** The mask of the last training forward: 0 or 1/(1 − p) per entry. */
    public DMatrixRMaj mask() {
        return M;
    }

    @Override
    public void setTraining(boolean training) {
        this.training = training;
    }

    @Override
    public boolean isTraining() {
        return training;
    }

    @Override
    public void setInputGradientNeeded(boolean needed) {
        this.inputGradientNeeded = needed;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "dropout";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    public double dropProbability() {
        return p;
    }
}
