package dev.gradwatch.trainer.optim;

import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.List;

/**
 * Stochastic gradient descent (Robbins and Monro 1951, "A Stochastic Approximation Method"),
 * with optional heavy-ball momentum (Polyak 1964) in PyTorch's form (Sutskever et al. 2013,
 * "On the importance of initialization and momentum in deep learning"):
 * v ← μ·v + g, w ← w − η·v. Momentum 0 is plain SGD and allocates no velocity buffers.
 *
 * <p>Nesterov momentum (Nesterov 1983, "A method for solving the convex programming problem with
 * convergence rate O(1/k²)"; in this form Sutskever et al. 2013 and PyTorch's
 * {@code nesterov=True}) is a setting: v ← μ·v + g, w ← w − η·(g + μ·v), the gradient
 * looked up one momentum step ahead.
 *
 * <p>Weight decay λ is PyTorch's coupled L2 penalty: g ← g + λ·w before the momentum, without
 * touching the stored gradient.
 */
public final class Sgd implements Optimizer {

    private final List<Parameter> params;
    private final double momentum;
    private final boolean nesterov;
    private final double weightDecay;
    private final DMatrixRMaj[] velocity;
    private volatile double lr;

    public Sgd(List<Parameter> params, double learningRate, double momentum) {
        this(params, learningRate, momentum, false);
    }

    /** @param nesterov Nesterov momentum instead of heavy-ball; needs momentum &gt; 0 */
    public Sgd(List<Parameter> params, double learningRate, double momentum, boolean nesterov) {
        this(params, learningRate, momentum, nesterov, 0);
    }

    /** @param weightDecay coupled L2 weight decay λ ≥ 0, 0 for none */
    public Sgd(List<Parameter> params, double learningRate, double momentum, boolean nesterov, double weightDecay) {
        if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) {
            throw new IllegalArgumentException("weight decay must be finite and >= 0, got " + weightDecay);
        }
        this.weightDecay = weightDecay;
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        if (nesterov && momentum == 0) throw new IllegalArgumentException("Nesterov momentum needs momentum > 0");
        this.nesterov = nesterov;
        this.params = List.copyOf(params);
        this.lr = Optimizer.checkLearningRate(learningRate);
        this.momentum = momentum;
        this.velocity = new DMatrixRMaj[this.params.size()];
        if (momentum > 0) {
            for (int i = 0; i < velocity.length; i++) {
                DMatrixRMaj w = this.params.get(i).value();
                velocity[i] = new DMatrixRMaj(w.numRows, w.numCols);
            }
        }
    }

    public Sgd(List<Parameter> params, double learningRate) {
        this(params, learningRate, 0);
    }

    @Override
    public void step() {
        double eta = lr;
        for (int p = 0; p < params.size(); p++) {
            Parameter param = params.get(p);
            double[] w = param.value().data;
            double[] g = param.grad().data;
            double[] v = momentum > 0 ? velocity[p].data : g;
            int n = param.size();
            double updateSq = 0;
            double valueSq = 0;
            for (int i = 0; i < n; i++) {
                double before = w[i];
                valueSq += before * before;
                // g' = g + λ·w;  v = μ·v + g';  w = w − η·v   (v is g' itself when μ = 0);  Nesterov: w = w − η·(g' + μ·v)
                double gi = weightDecay == 0 ? g[i] : g[i] + weightDecay * before;
                double d;
                if (momentum > 0) {
                    v[i] = momentum * v[i] + gi;
                    d = nesterov ? gi + momentum * v[i] : v[i];
                } else {
                    d = gi;
                }
                w[i] = before - eta * d;
                double applied = w[i] - before;
                updateSq += applied * applied;
            }
            param.recordUpdate(updateSq, valueSq);
        }
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(double learningRate) {
        this.lr = Optimizer.checkLearningRate(learningRate);
    }

    public double momentum() {
        return momentum;
    }

    public boolean nesterov() {
        return nesterov;
    }

    public double weightDecay() {
        return weightDecay;
    }
}
