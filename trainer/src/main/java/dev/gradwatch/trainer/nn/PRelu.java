package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.List;

/**
 * The parametric rectifier A = max(X, 0) + a·min(X, 0) with a learned slope a (He, Zhang, Ren and
 * Sun 2015, "Delving Deep into Rectifiers", ICCV): Leaky ReLU whose slope is a parameter. Either
 * one slope shared by every feature or one per feature, initialised to 0.25 as in PyTorch's
 * {@code nn.PReLU}.
 */
public final class PRelu implements Layer {

    /** PyTorch's initial slope. */
    public static final double DEFAULT_INITIAL_SLOPE = 0.25;

    private final String name;
    private final int features;
    private final Parameter a;
    private final List<Parameter> parameters;
    private final boolean shared;

    private final DMatrixRMaj A = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj dX = new DMatrixRMaj(1, 1);
    private DMatrixRMaj X;
    private boolean inputGradientNeeded = true;

    /**
     * @param slopes 1 for one shared slope, or {@code features} for one per feature
     */
    public PRelu(String name, int features, int slopes, double initialSlope) {
        if (features < 1) throw new IllegalArgumentException(name + ": features must be >= 1, got " + features);
        if (slopes != 1 && slopes != features) {
            throw new IllegalArgumentException(name + ": slopes must be 1 or " + features + ", got " + slopes);
        }
        this.name = name;
        this.features = features;
        this.shared = slopes == 1;
        this.a = new Parameter(name + ".a", 1, slopes);
        java.util.Arrays.fill(a.value().data, 0, slopes, initialSlope);
        this.parameters = List.of(a);
    }

    /** One slope per feature, starting at 0.25. */
    public PRelu(String name, int features) {
        this(name, features, features, DEFAULT_INITIAL_SLOPE);
    }

    @Override
    public DMatrixRMaj forward(DMatrixRMaj X) {
        if (X.numCols != features) {
            throw new IllegalArgumentException(name + ": expected " + features + " input columns, got " + X.numCols);
        }
        this.X = X;
        A.reshape(X.numRows, features);
        double[] x = X.data, y = A.data, s = a.value().data;
        // A = X > 0 ? X : a ⊙ X, with a broadcast over rows
        for (int r = 0, off = 0; r < X.numRows; r++, off += features) {
            for (int c = 0; c < features; c++) {
                double v = x[off + c];
                y[off + c] = v > 0 ? v : s[shared ? 0 : c] * v;
            }
        }
        return A;
    }

    @Override
    public DMatrixRMaj backward(DMatrixRMaj dA) {
        int n = X.numRows;
        double[] x = X.data, d = dA.data, s = a.value().data, ga = a.grad().data;
        // da += Σ_rows dA ⊙ min(X, 0)
        for (int r = 0, off = 0; r < n; r++, off += features) {
            for (int c = 0; c < features; c++) {
                double v = x[off + c];
                if (v <= 0) ga[shared ? 0 : c] += d[off + c] * v;
            }
        }
        if (!inputGradientNeeded) return null;
        // dX = dA ⊙ [X > 0 ? 1 : a]
        dX.reshape(n, features);
        double[] dx = dX.data;
        for (int r = 0, off = 0; r < n; r++, off += features) {
            for (int c = 0; c < features; c++) {
                dx[off + c] = x[off + c] > 0 ? d[off + c] : s[shared ? 0 : c] * d[off + c];
            }
        }
        return dX;
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
        return "prelu";
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    /** The slopes, 1 × (1 or features). */
    public Parameter slopes() {
        return a;
    }
}
