package dev.gradwatch.trainer.nn.recurrent;

import dev.gradwatch.trainer.engine.MatrixOps;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Gated recurrent unit (Cho et al. 2014, "Learning Phrase Representations using RNN
 * Encoder–Decoder for Statistical Machine Translation", EMNLP), in PyTorch's and cuDNN's form
 * (reset gate applied after the recurrent product, separate input and recurrent biases), gate
 * order r, z, n:
 * <pre>
 *   [x_r x_z x_n] = x_t·Wx + b          [u_r u_z u_n] = h_{t−1}·Wh + bh
 *   r = σ(x_r + u_r)   z = σ(x_z + u_z)   n = tanh(x_n + r ⊙ u_n)
 *   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 * </pre>
 * b and bh match PyTorch's {@code bias_ih} and {@code bias_hh}. Layout and buffers as in
 * {@link RecurrentLayer}.
 */
public final class Gru extends RecurrentLayer {

    private final Parameter bh;
    private final List<Parameter> parameters;

    /** Recurrent pre-activations u = h_{t−1}·Wh + bh ((T·B) × 3·hidden). */
    private final DMatrixRMaj U = new DMatrixRMaj(1, 1);
    /** Gate activations r, z, n ((T·B) × 3·hidden). */
    private final DMatrixRMaj A = new DMatrixRMaj(1, 1);
    /** ∂L/∂U ((T·B) × 3·hidden). */
    private final DMatrixRMaj dU = new DMatrixRMaj(1, 1);

    /** Wx Xavier-uniform, Wh orthogonal, b = bh = 0. */
    public Gru(String name, int inputs, int hidden, int timeSteps, RandomGenerator rng) {
        super(name, inputs, hidden, 3, timeSteps);
        this.bh = new Parameter(name + ".bh", 1, gateWidth);
        this.parameters = List.of(Wx, Wh, b, bh);
        initialize(rng);
    }

    @Override
    void reshapeSteps(int rows) {
        U.reshape(rows, gateWidth);
        A.reshape(rows, gateWidth);
    }

    @Override
    void forwardStep(int t, int r0) {
        // U_t = h_{t−1} · Wh + 1 · bh
        double[] u = U.data, bhv = bh.value().data;
        for (int r = r0; r < r0 + batch; r++) System.arraycopy(bhv, 0, u, r * gateWidth, gateWidth);
        if (t > 0) MatrixOps.multRows(Hprev, r0, Wh.value(), U, r0, batch, true);
        double[] z = Z.data, a = A.data, hp = Hprev.data, y = Y.data;
        int H = hidden, G = gateWidth;
        for (int r = r0; r < r0 + batch; r++) {
            int g0 = r * G, h0 = r * H;
            for (int j = 0; j < H; j++) {
                double rt = sigmoid(z[g0 + j] + u[g0 + j]);
                double zt = sigmoid(z[g0 + H + j] + u[g0 + H + j]);
                double nt = Math.tanh(z[g0 + 2 * H + j] + rt * u[g0 + 2 * H + j]);
                a[g0 + j] = rt;
                a[g0 + H + j] = zt;
                a[g0 + 2 * H + j] = nt;
                // h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
                y[h0 + j] = (1 - zt) * nt + zt * hp[h0 + j];
            }
        }
    }

    @Override
    void backwardStep(int t, int r0, boolean needPrev) {
        double[] a = A.data, u = U.data, hp = Hprev.data, dz = dZ.data, du = dU.data, dh = dH.data, dhp = dHprev.data;
        int H = hidden, G = gateWidth;
        for (int n = 0; n < batch; n++) {
            int r = r0 + n, g0 = r * G, h0 = r * H, k0 = n * H;
            for (int j = 0; j < H; j++) {
                double rt = a[g0 + j], zt = a[g0 + H + j], nt = a[g0 + 2 * H + j];
                double dht = dh[k0 + j];
                // dn = dh ⊙ (1 − z) ⊙ (1 − n²): the candidate's pre-activation x_n + r ⊙ u_n
                double dn = dht * (1 - zt) * (1 - nt * nt);
                // dz-gate = dh ⊙ (h_{t−1} − n) ⊙ z(1−z);  dr-gate = dn ⊙ u_n ⊙ r(1−r)
                double dzg = dht * (hp[h0 + j] - nt) * zt * (1 - zt);
                double drg = dn * u[g0 + 2 * H + j] * rt * (1 - rt);
                dz[g0 + j] = drg;
                dz[g0 + H + j] = dzg;
                dz[g0 + 2 * H + j] = dn;
                du[g0 + j] = drg;
                du[g0 + H + j] = dzg;
                du[g0 + 2 * H + j] = dn * rt;
                // ∂L/∂h_{t−1}, direct part: dh ⊙ z
                dhp[k0 + j] = dht * zt;
            }
        }
        // ∂L/∂h_{t−1} += dU_t · Whᵀ
        if (needPrev) MatrixOps.multRows(dU, r0, WhT, dHprev, 0, batch, true);
    }

    @Override
    void beginBackward() {
        dU.reshape(batch * timeSteps, gateWidth);
    }

    @Override
    DMatrixRMaj recurrentPreactivationGrad() {
        return dU;
    }

    @Override
    void accumulateExtraGradients() {
        // dbh += 1ᵀ · dU
        addColumnSums(dU, bh.grad().data);
    }

    @Override
    public String kind() {
        return "gru";
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    /** Bias of the recurrent side, 1 × 3·hidden (PyTorch's {@code bias_hh}). */
    public Parameter recurrentBias() {
        return bh;
    }
}
