package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.List;

/**
 * Layer normalization over the features of each sample (Ba, Kiros and Hinton 2016, "Layer
 * Normalization", arXiv:1607.06450), PyTorch's {@code LayerNorm(features)}: Yᵣ = γ ⊙ (Xᵣ − μᵣ)/√(σᵣ² + ε)
 * + β with the biased variance of row r. It keeps no running statistics, so training and
 * evaluation compute the same thing and it needs no mode.
 */
public final class LayerNorm implements Layer {

    public static final double DEFAULT_EPSILON = 1e-5;

    private final String name;
    private final int features;
    private final double eps;
    private final Parameter gamma;
    private final Parameter beta;
    private final List<Parameter> parameters;

    private final DMatrixRMaj Xhat = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj Y = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj dX = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj invStd = new DMatrixRMaj(1, 1);
    private boolean inputGradientNeeded = true;

    public LayerNorm(String name, int features, double eps) {
        if (features < 1) throw new IllegalArgumentException(name + ": features must be >= 1, got " + features);
        if (!(eps > 0)) throw new IllegalArgumentException(name + ": eps must be > 0, got " + eps);
        this.name = name;
        this.features = features;
        this.eps = eps;
        this.gamma = new Parameter(name + ".gamma", 1, features);
        this.beta = new Parameter(name + ".beta", 1, features);
        gamma.value().fill(1);
        this.parameters = List.of(gamma, beta);
    }

    public LayerNorm(String name, int features) {
        this(name, features, DEFAULT_EPSILON);
    }

    @Override
    public DMatrixRMaj forward(DMatrixRMaj X) {
        if (X.numCols != features) {
            throw new IllegalArgumentException(name + ": expected " + features + " input columns, got " + X.numCols);
        }
        int n = X.numRows, D = features;
        Xhat.reshape(n, D);
        Y.reshape(n, D);
        invStd.reshape(n, 1);
        double[] x = X.data, xh = Xhat.data, y = Y.data, s = invStd.data, g = gamma.value().data, b = beta.value().data;
        for (int r = 0, off = 0; r < n; r++, off += D) {
            // μᵣ = (1/D) Σ_c X_rc;  σᵣ² = (1/D) Σ_c (X_rc − μᵣ)²
            double mu = 0;
            for (int c = 0; c < D; c++) mu += x[off + c];
            mu /= D;
            double var = 0;
            for (int c = 0; c < D; c++) {
                double d = x[off + c] - mu;
                var += d * d;
            }
            var /= D;
            double is = 1 / Math.sqrt(var + eps);
            s[r] = is;
            // X̂ᵣ = (Xᵣ − μᵣ)·(σᵣ² + ε)^(−½);  Yᵣ = γ ⊙ X̂ᵣ + β
            for (int c = 0; c < D; c++) {
                double h = (x[off + c] - mu) * is;
                xh[off + c] = h;
                y[off + c] = g[c] * h + b[c];
            }
        }
        return Y;
    }

    @Override
    public DMatrixRMaj backward(DMatrixRMaj dY) {
        int n = Xhat.numRows, D = features;
        double[] dy = dY.data, xh = Xhat.data, s = invStd.data, g = gamma.value().data;
        double[] dg = gamma.grad().data, db = beta.grad().data;
        // dγ += Σ_rows dY ⊙ X̂;  dβ += Σ_rows dY
        for (int r = 0, off = 0; r < n; r++, off += D) {
            for (int c = 0; c < D; c++) {
                dg[c] += dy[off + c] * xh[off + c];
                db[c] += dy[off + c];
            }
        }
        if (!inputGradientNeeded) return null;
        dX.reshape(n, D);
        double[] dx = dX.data;
        for (int r = 0, off = 0; r < n; r++, off += D) {
            // with dX̂ = dY ⊙ γ:  dXᵣ = (σᵣ² + ε)^(−½)/D · (D·dX̂ᵣ − Σ dX̂ᵣ − X̂ᵣ·Σ(dX̂ᵣ ⊙ X̂ᵣ))
            double sum = 0, sumH = 0;
            for (int c = 0; c < D; c++) {
                double d = dy[off + c] * g[c];
                sum += d;
                sumH += d * xh[off + c];
            }
            double k = s[r] / D;
            for (int c = 0; c < D; c++) dx[off + c] = k * (D * dy[off + c] * g[c] - sum - xh[off + c] * sumH);
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
        return "layernorm";
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    public Parameter gamma() {
        return gamma;
    }

    public Parameter beta() {
        return beta;
    }
}
