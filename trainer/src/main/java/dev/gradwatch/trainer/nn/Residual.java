package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.List;

/**
 * A residual block Y = X + α·F(X) around any branch F whose output has its input's shape (He,
 * Zhang, Ren and Sun 2016, "Deep Residual Learning for Image Recognition", CVPR). α = 1 is the
 * plain block; a small fixed α scales the branch down, as in SkipInit (De and Smith 2020) or
 * the 1/√depth scaling of deep residual stacks, so that the identity path dominates at init.
 */
public final class Residual implements Layer {

    private final String name;
    private final double alpha;
    private final Layer branch;
    private final DMatrixRMaj Y = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj dF = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj dX = new DMatrixRMaj(1, 1);
    private boolean inputGradientNeeded = true;

    public Residual(String name, double alpha, Layer branch) {
        if (!Double.isFinite(alpha)) throw new IllegalArgumentException(name + ": alpha must be finite, got " + alpha);
        this.name = name;
        this.alpha = alpha;
        this.branch = branch;
    }

    /** A block whose branch is {@code layers} in sequence, named {@code <name>.branch}. */
    public Residual(String name, double alpha, List<? extends Layer> layers) {
        this(name, alpha, new Sequential(name + ".branch", layers));
    }

    @Override
    public DMatrixRMaj forward(DMatrixRMaj X) {
        DMatrixRMaj F = branch.forward(X);
        if (F.numRows != X.numRows || F.numCols != X.numCols) {
            throw new IllegalArgumentException(name + ": branch maps " + X.numRows + "x" + X.numCols + " to "
                    + F.numRows + "x" + F.numCols + "; a residual branch must keep the shape");
        }
        Y.reshape(X.numRows, X.numCols);
        double[] x = X.data, f = F.data, y = Y.data;
        // Y = X + α·F(X)
        for (int i = 0, n = X.getNumElements(); i < n; i++) y[i] = x[i] + alpha * f[i];
        return Y;
    }

    @Override
    public DMatrixRMaj backward(DMatrixRMaj dY) {
        int n = dY.getNumElements();
        dF.reshape(dY.numRows, dY.numCols);
        double[] dy = dY.data, df = dF.data;
        // dF = α·dY
        for (int i = 0; i < n; i++) df[i] = alpha * dy[i];
        DMatrixRMaj dXbranch = branch.backward(dF);
        if (!inputGradientNeeded) return null;
        // dX = dY + ∂F/∂Xᵀ·dF
        dX.reshape(dY.numRows, dY.numCols);
        double[] dx = dX.data, db = dXbranch.data;
        for (int i = 0; i < n; i++) dx[i] = dy[i] + db[i];
        return dX;
    }

    @Override
    public void setInputGradientNeeded(boolean needed) {
        this.inputGradientNeeded = needed;
        branch.setInputGradientNeeded(needed);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "residual";
    }

    @Override
    public List<Parameter> parameters() {
        return branch.parameters();
    }

    @Override
    public List<Layer> sublayers() {
        return List.of(branch);
    }

    public double alpha() {
        return alpha;
    }

    public Layer branch() {
        return branch;
    }
}
