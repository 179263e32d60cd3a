package dev.gradwatch.trainer.nn.recurrent;

import dev.gradwatch.trainer.engine.MatrixOps;
import dev.gradwatch.trainer.engine.Parameter;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The vanilla (Elman) recurrent layer, h_t = tanh(x_t·Wx + h_{t−1}·Wh + b) (Elman 1990, "Finding
 * structure in time", Cognitive Science), trained by backpropagation through time. The layer in
 * which Bengio, Simard and Frasconi 1994 ("Learning long-term dependencies with gradient descent
 * is difficult", IEEE TNN) showed gradients vanishing or exploding geometrically with the distance
 * in time. Layout and buffers as in {@link RecurrentLayer}.
 */
public final class Rnn extends RecurrentLayer {

    private final List<Parameter> parameters;

    /** Wx Xavier-uniform, Wh orthogonal, b = 0, drawn from {@code rng} in that order. */
    public Rnn(String name, int inputs, int hidden, int timeSteps, RandomGenerator rng) {
        super(name, inputs, hidden, 1, timeSteps);
        this.parameters = standard(this);
        initialize(rng);
    }

    @Override
    void reshapeSteps(int rows) {
    }

    @Override
    void forwardStep(int t, int r0) {
        // Z_t += h_{t−1} · Wh   (h₋₁ = 0 adds nothing)
        if (t > 0) MatrixOps.multRows(Hprev, r0, Wh.value(), Z, r0, batch, true);
        // h_t = tanh(Z_t)
        double[] z = Z.data, y = Y.data;
        for (int i = r0 * hidden, end = (r0 + batch) * hidden; i < end; i++) y[i] = Math.tanh(z[i]);
    }

    @Override
    void backwardStep(int t, int r0, boolean needPrev) {
        // dZ_t = dh_t ⊙ (1 − h_t²)
        double[] y = Y.data, dz = dZ.data, dh = dH.data;
        for (int i = 0, off = r0 * hidden, n = batch * hidden; i < n; i++) {
            double h = y[off + i];
            dz[off + i] = dh[i] * (1 - h * h);
        }
        // ∂L/∂h_{t−1} = dZ_t · Whᵀ
        if (needPrev) MatrixOps.multRows(dZ, r0, WhT, dHprev, 0, batch, false);
    }

    @Override
    public String kind() {
        return "rnn/tanh";
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }
}
