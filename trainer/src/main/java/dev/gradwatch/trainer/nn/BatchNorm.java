package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.Arrays;
import java.util.List;

/**
 * Batch normalization over the batch, per feature (Ioffe and Szegedy 2015, "Batch Normalization:
 * Accelerating Deep Network Training by Reducing Internal Covariate Shift", ICML), with PyTorch's
 * {@code BatchNorm1d} semantics: Y = γ ⊙ (X − μ)/√(σ² + ε) + β with the biased batch variance in
 * training, running averages r ← (1 − m)·r + m·batch (the running variance takes the unbiased
 * batch variance) used in evaluation; γ starts at 1, β at 0.
 */
public final class BatchNorm implements Layer, TrainingMode {

    public static final double DEFAULT_EPSILON = 1e-5;
    public static final double DEFAULT_MOMENTUM = 0.1;

    private final String name;
    private final int features;
    private final double eps;
    private final double momentum;
    private final Parameter gamma;
    private final Parameter beta;
    private final List<Parameter> parameters;
    private final double[] runningMean;
    private final double[] runningVar;
    private boolean training = true;

    // per-feature statistics of the last forward, and predeclared buffers
    private final double[] mean;
    private final double[] invStd;
    private final double[] sumDxhat;
    private final double[] sumDxhatXhat;
    private final DMatrixRMaj Xhat = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj Y = new DMatrixRMaj(1, 1);
    private final DMatrixRMaj dX = new DMatrixRMaj(1, 1);
    private boolean lastForwardTrained;
    private boolean inputGradientNeeded = true;

    public BatchNorm(String name, int features, double eps, double momentum) {
        if (features < 1) throw new IllegalArgumentException(name + ": features must be >= 1, got " + features);
        if (!(eps > 0)) throw new IllegalArgumentException(name + ": eps must be > 0, got " + eps);
        if (!(momentum > 0 && momentum <= 1)) throw new IllegalArgumentException(name + ": momentum must be in (0, 1], got " + momentum);
        this.name = name;
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        this.gamma = new Parameter(name + ".gamma", 1, features);
        this.beta = new Parameter(name + ".beta", 1, features);
        gamma.value().fill(1);
        this.parameters = List.of(gamma, beta);
        this.runningMean = new double[features];
        this.runningVar = new double[features];
        Arrays.fill(runningVar, 1);
        this.mean = new double[features];
        this.invStd = new double[features];
        this.sumDxhat = new double[features];
        this.sumDxhatXhat = new double[features];
    }

    public BatchNorm(String name, int features) {
        this(name, features, DEFAULT_EPSILON, DEFAULT_MOMENTUM);
    }

    @Override
    public DMatrixRMaj forward(DMatrixRMaj X) {
        if (X.numCols != features) {
            throw new IllegalArgumentException(name + ": expected " + features + " input columns, got " + X.numCols);
        }
        int n = X.numRows, D = features;
        if (training && n < 2) throw new IllegalArgumentException(name + ": training needs a batch of at least 2 rows");
        Xhat.reshape(n, D);
        Y.reshape(n, D);
        double[] x = X.data, xh = Xhat.data, y = Y.data, g = gamma.value().data, b = beta.value().data;
        lastForwardTrained = training;
        if (training) {
            // μ = (1/n) Σ_rows X;  σ² = (1/n) Σ_rows (X − μ)²
            Arrays.fill(mean, 0);
            Arrays.fill(invStd, 0);
            for (int r = 0, off = 0; r < n; r++, off += D) for (int c = 0; c < D; c++) mean[c] += x[off + c];
            for (int c = 0; c < D; c++) mean[c] /= n;
            for (int r = 0, off = 0; r < n; r++, off += D) {
                for (int c = 0; c < D; c++) {
                    double d = x[off + c] - mean[c];
                    invStd[c] += d * d;
                }
            }
            for (int c = 0; c < D; c++) {
                double var = invStd[c] / n;
                // r ← (1 − m)·r + m·batch, with the unbiased variance n/(n − 1)·σ²
                runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c];
                runningVar[c] = (1 - momentum) * runningVar[c] + momentum * var * n / (n - 1);
                invStd[c] = 1 / Math.sqrt(var + eps);
            }
        } else {
            for (int c = 0; c < D; c++) {
                mean[c] = runningMean[c];
                invStd[c] = 1 / Math.sqrt(runningVar[c] + eps);
            }
        }
        // X̂ = (X − μ)·(σ² + ε)^(−½);  Y = γ ⊙ X̂ + β
        for (int r = 0, off = 0; r < n; r++, off += D) {
            for (int c = 0; c < D; c++) {
                double h = (x[off + c] - mean[c]) * invStd[c];
                xh[off + c] = h;
                y[off + c] = g[c] * h + b[c];
            }
        }
        return Y;
    }

    @Override
    public DMatrixRMaj backward(DMatrixRMaj dY) {
        int n = Xhat.numRows, D = features;
        double[] dy = dY.data, xh = Xhat.data, g = gamma.value().data;
        double[] dg = gamma.grad().data, db = beta.grad().data;
        Arrays.fill(sumDxhat, 0);
        Arrays.fill(sumDxhatXhat, 0);
        // dγ += Σ_rows dY ⊙ X̂;  dβ += Σ_rows dY;  with dX̂ = dY ⊙ γ also Σ dX̂ and Σ dX̂ ⊙ X̂
        for (int r = 0, off = 0; r < n; r++, off += D) {
            for (int c = 0; c < D; c++) {
                double d = dy[off + c], h = xh[off + c];
                dg[c] += d * h;
                db[c] += d;
                sumDxhat[c] += d * g[c];
                sumDxhatXhat[c] += d * g[c] * h;
            }
        }
        if (!inputGradientNeeded) return null;
        dX.reshape(n, D);
        double[] dx = dX.data;
        if (lastForwardTrained) {
            // dX = (σ² + ε)^(−½)/n · (n·dX̂ − Σ dX̂ − X̂ ⊙ Σ(dX̂ ⊙ X̂)), the batch statistics differentiated too
            for (int r = 0, off = 0; r < n; r++, off += D) {
                for (int c = 0; c < D; c++) {
                    dx[off + c] = invStd[c] / n
                            * (n * dy[off + c] * g[c] - sumDxhat[c] - xh[off + c] * sumDxhatXhat[c]);
                }
            }
        } else {
            // the running statistics are constants: dX = dY ⊙ γ·(r_var + ε)^(−½)
            for (int r = 0, off = 0; r < n; r++, off += D) {
                for (int c = 0; c < D; c++) dx[off + c] = dy[off + c] * g[c] * invStd[c];
            }
        }
        return dX;
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
        return "batchnorm";
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

    /** The running mean, a live view (not a copy): evaluation uses it. */
    public double[] runningMean() {
        return runningMean;
    }

    /** The running (unbiased) variance, a live view (not a copy): evaluation uses it. */
    public double[] runningVar() {
        return runningVar;
    }
}
