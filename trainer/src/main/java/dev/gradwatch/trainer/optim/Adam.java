package dev.gradwatch.trainer.optim;

import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.List;

/**
 * Adam (Kingma and Ba 2015, "Adam: A Method for Stochastic Optimization", ICLR) and, as a
 * setting, AdamW (Loshchilov and Hutter 2019, "Decoupled Weight Decay Regularization", ICLR), in
 * PyTorch's arithmetic. At step t = 1, 2, …:
 * <pre>
 *   m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
 *   w ← w − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * Weight decay λ is either coupled (Adam's L2 penalty, g ← g + λ·w before the moments) or
 * decoupled (AdamW: w ← w·(1 − η·λ) before the Adam update, so the decay is not rescaled by √v).
 * Moments are allocated once, in the constructor.
 */
public final class Adam implements Optimizer {

    private final List<Parameter> params;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupled;
    private final DMatrixRMaj[] m;
    private final DMatrixRMaj[] v;
    private long t;
    private volatile double lr;

    public Adam(List<Parameter> params, double learningRate, double beta1, double beta2, double eps,
                double weightDecay, boolean decoupled) {
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("eps must be > 0, got " + eps);
        if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) {
            throw new IllegalArgumentException("weight decay must be finite and >= 0, got " + weightDecay);
        }
        this.params = List.copyOf(params);
        this.lr = Optimizer.checkLearningRate(learningRate);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        this.m = new DMatrixRMaj[this.params.size()];
        this.v = new DMatrixRMaj[this.params.size()];
        for (int i = 0; i < m.length; i++) {
            DMatrixRMaj w = this.params.get(i).value();
            m[i] = new DMatrixRMaj(w.numRows, w.numCols);
            v[i] = new DMatrixRMaj(w.numRows, w.numCols);
        }
    }

    /** Adam with PyTorch's defaults β = (0.9, 0.999), ε = 1e-8 and no weight decay. */
    public static Adam adam(List<Parameter> params, double learningRate) {
        return new Adam(params, learningRate, 0.9, 0.999, 1e-8, 0, false);
    }

    /** AdamW with PyTorch's defaults β = (0.9, 0.999), ε = 1e-8 and decoupled decay λ. */
    public static Adam adamW(List<Parameter> params, double learningRate, double weightDecay) {
        return new Adam(params, learningRate, 0.9, 0.999, 1e-8, weightDecay, true);
    }

    @Override
    public void step() {
        t++;
        double eta = lr;
        double bc1 = 1 - Math.pow(beta1, t);
        double sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, t));
        double stepSize = eta / bc1;
        double decay = decoupled ? 1 - eta * weightDecay : 1;
        double l2 = decoupled ? 0 : weightDecay;
        for (int p = 0; p < params.size(); p++) {
            Parameter param = params.get(p);
            double[] w = param.value().data, g = param.grad().data, mp = m[p].data, vp = v[p].data;
            double updateSq = 0;
            double valueSq = 0;
            for (int i = 0, n = param.size(); i < n; i++) {
                double before = w[i];
                valueSq += before * before;
                // coupled L2: g ← g + λ·w
                double gi = g[i] + l2 * before;
                // m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²
                mp[i] = beta1 * mp[i] + (1 - beta1) * gi;
                vp[i] = beta2 * vp[i] + (1 - beta2) * gi * gi;
                // decoupled: w ← w·(1 − ηλ);  then w ← w − (η/(1 − β₁ᵗ))·m/(√v/√(1 − β₂ᵗ) + ε)
                double after = before * decay - stepSize * mp[i] / (Math.sqrt(vp[i]) / sqrtBc2 + eps);
                w[i] = after;
                double applied = after - before;
                updateSq += applied * applied;
            }
            param.recordUpdate(updateSq, valueSq);
        }
    }

    /** Steps taken, the t of the bias corrections. */
    public long stepCount() {
        return t;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(double learningRate) {
        this.lr = Optimizer.checkLearningRate(learningRate);
    }

    public double weightDecay() {
        return weightDecay;
    }

    public boolean decoupled() {
        return decoupled;
    }
}
