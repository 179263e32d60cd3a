package dev.gradwatch.trainer.nn.recurrent;

import dev.gradwatch.trainer.engine.MatrixOps;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Long short-term memory (Hochreiter and Schmidhuber 1997, "Long Short-Term Memory", Neural
 * Computation; with the forget gate of Gers, Schmidhuber and Cummins 2000), in PyTorch's form and
 * gate order i, f, g, o:
 * <pre>
 *   [z_i z_f z_g z_o] = x_t·Wx + h_{t−1}·Wh + b
 *   i = σ(z_i)   f = σ(z_f)   g = tanh(z_g)   o = σ(z_o)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
 * </pre>
 * The additive cell path carries the gradient back through time multiplied only by f, which is
 * why the LSTM keeps long-range gradients that a vanilla RNN loses. The forget-gate bias starts
 * at a chosen value, usually 1 (Gers et al. 2000; Jozefowicz, Zaremba and Sutskever 2015, "An
 * Empirical Exploration of Recurrent Network Architectures", ICML), so f starts near σ(1) = 0.73
 * instead of 0.5. Layout and buffers as in {@link RecurrentLayer}.
 */
public final class Lstm extends RecurrentLayer {

    private final List<Parameter> parameters;

    /** Gate activations i, f, g, o ((T·B) × 4·hidden). */
    private final DMatrixRMaj A = new DMatrixRMaj(1, 1);
    /** Cell states c_t ((T·B) × hidden). */
    private final DMatrixRMaj C = new DMatrixRMaj(1, 1);
    /** tanh(c_t) ((T·B) × hidden). */
    private final DMatrixRMaj tanhC = new DMatrixRMaj(1, 1);
    /** ∂L/∂c_t through step t+1, carried backwards (B × hidden). */
    private final DMatrixRMaj dC = new DMatrixRMaj(1, 1);

    /** Wx Xavier-uniform, Wh orthogonal, b = 0 except the forget-gate block at {@code forgetBias}. */
    public Lstm(String name, int inputs, int hidden, int timeSteps, double forgetBias, RandomGenerator rng) {
        super(name, inputs, hidden, 4, timeSteps);
        this.parameters = standard(this);
        initialize(rng);
        for (int j = 0; j < hidden; j++) b.value().data[hidden + j] = forgetBias;
    }

    @Override
    void reshapeSteps(int rows) {
        A.reshape(rows, gateWidth);
        C.reshape(rows, hidden);
        tanhC.reshape(rows, hidden);
    }

    @Override
    void forwardStep(int t, int r0) {
        // Z_t += h_{t−1} · Wh
        if (t > 0) MatrixOps.multRows(Hprev, r0, Wh.value(), Z, r0, batch, true);
        double[] z = Z.data, a = A.data, c = C.data, tc = tanhC.data, y = Y.data;
        int H = hidden, G = gateWidth;
        for (int r = r0; r < r0 + batch; r++) {
            int g0 = r * G, h0 = r * H, prev = (r - batch) * H;
            for (int j = 0; j < H; j++) {
                double i = sigmoid(z[g0 + j]);
                double f = sigmoid(z[g0 + H + j]);
                double g = Math.tanh(z[g0 + 2 * H + j]);
                double o = sigmoid(z[g0 + 3 * H + j]);
                a[g0 + j] = i;
                a[g0 + H + j] = f;
                a[g0 + 2 * H + j] = g;
                a[g0 + 3 * H + j] = o;
                // c_t = f ⊙ c_{t−1} + i ⊙ g;  h_t = o ⊙ tanh(c_t)
                double cPrev = t > 0 ? c[prev + j] : 0;
                double ct = f * cPrev + i * g;
                double tct = Math.tanh(ct);
                c[h0 + j] = ct;
                tc[h0 + j] = tct;
                y[h0 + j] = o * tct;
            }
        }
    }

    @Override
    void beginBackward() {
        dC.reshape(batch, hidden);
        dC.zero();
    }

    @Override
    void backwardStep(int t, int r0, boolean needPrev) {
        double[] a = A.data, c = C.data, tc = tanhC.data, dz = dZ.data, dh = dH.data, dc = dC.data;
        int H = hidden, G = gateWidth;
        for (int n = 0; n < batch; n++) {
            int r = r0 + n, g0 = r * G, h0 = r * H, prev = (r - batch) * H, k0 = n * H;
            for (int j = 0; j < H; j++) {
                double i = a[g0 + j], f = a[g0 + H + j], g = a[g0 + 2 * H + j], o = a[g0 + 3 * H + j];
                double tct = tc[h0 + j];
                double dht = dh[k0 + j];
                // ∂L/∂c_t = ∂L/∂c_t through c_{t+1} + dh_t ⊙ o ⊙ (1 − tanh² c_t)
                double dct = dc[k0 + j] + dht * o * (1 - tct * tct);
                double cPrev = t > 0 ? c[prev + j] : 0;
                // dz_i = dc ⊙ g ⊙ i(1−i);  dz_f = dc ⊙ c_{t−1} ⊙ f(1−f);  dz_g = dc ⊙ i ⊙ (1−g²);  dz_o = dh ⊙ tanh c ⊙ o(1−o)
                dz[g0 + j] = dct * g * i * (1 - i);
                dz[g0 + H + j] = dct * cPrev * f * (1 - f);
                dz[g0 + 2 * H + j] = dct * i * (1 - g * g);
                dz[g0 + 3 * H + j] = dht * tct * o * (1 - o);
                // ∂L/∂c_{t−1} = dc ⊙ f
                dc[k0 + j] = dct * f;
            }
        }
        // ∂L/∂h_{t−1} = dZ_t · Whᵀ
        if (needPrev) MatrixOps.multRows(dZ, r0, WhT, dHprev, 0, batch, false);
    }

    @Override
    public String kind() {
        return "lstm";
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }
}
