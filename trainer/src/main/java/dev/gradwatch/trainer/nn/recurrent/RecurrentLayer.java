package dev.gradwatch.trainer.nn.recurrent;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.MatrixOps;
import dev.gradwatch.trainer.engine.Norms;
import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.engine.TimeStepGradients;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * What the vanilla RNN, the LSTM and the GRU share: the sequence layout, the input projection of
 * all time steps at once, backpropagation through time, and the per-time-step gradient norms.
 *
 * <p><b>Sequence layout.</b> A batch of B sequences of T steps is one (T·B) × features matrix in
 * time-major order: rows t·B … t·B + B − 1 hold time step t. The input X is (T·B) × inputs and
 * the output is every hidden state h_t, (T·B) × hidden, in the same layout, so a {@code Dense}
 * after the layer acts on every time step and {@link LastTimeStep} picks h_{T−1}. T is a setting of
 * the layer ({@link #setTimeSteps}); B is the number of input rows over T.
 *
 * <p><b>Weights.</b> With G = gates × hidden, Wx is inputs × G, Wh is hidden × G and b is 1 × G,
 * each gate a block of {@code hidden} columns, so that the input part of every step's
 * pre-activation is one product X·Wx and the weight gradients are one Xᵀ·dZ and one H₋₁ᵀ·dZ over
 * all steps (BPTT sums them over time). Only the recurrent product h_{t−1}·Wh runs step by step.
 * To compare with PyTorch: Wx = {@code weight_ih}ᵀ, Wh = {@code weight_hh}ᵀ, and for the RNN and
 * the LSTM b = {@code bias_ih + bias_hh} (the GRU keeps both, see {@link Gru}).
 *
 * <p><b>Buffers.</b> Every step's pre-activations, gates and states live in (T·B)-row matrices
 * allocated once and reshaped when T or B changes; a forward and backward pass then allocates
 * nothing. The initial state h_{−1} (and c_{−1}) is zero for every batch: the layer keeps no state
 * from one batch to the next (a known limitation: no truncated BPTT over long streams).
 */
public abstract sealed class RecurrentLayer implements Layer, TimeStepGradients permits Rnn, Lstm, Gru {

    final String name;
    final int inputs;
    final int hidden;
    /** Width of all gate blocks together, gates × hidden. */
    final int gateWidth;
    final Parameter Wx;
    final Parameter Wh;
    final Parameter b;

    int timeSteps;
    /** B of the last forward. */
    int batch;
    DMatrixRMaj X;
    private boolean inputGradientNeeded = true;

    /** Pre-activations: X·Wx + 1·b, plus h_{t−1}·Wh where the cell adds it ((T·B) × G). */
    final DMatrixRMaj Z = new DMatrixRMaj(1, 1);
    /** Block t holds h_{t−1}; block 0 is the zero initial state ((T·B) × hidden). */
    final DMatrixRMaj Hprev = new DMatrixRMaj(1, 1);
    /** Block t holds h_t: the output ((T·B) × hidden). */
    final DMatrixRMaj Y = new DMatrixRMaj(1, 1);
    /** ∂L/∂Z ((T·B) × G). */
    final DMatrixRMaj dZ = new DMatrixRMaj(1, 1);
    /** ∂L/∂h_t of the step being back-propagated (B × hidden). */
    final DMatrixRMaj dH = new DMatrixRMaj(1, 1);
    /** ∂L/∂h_{t−1} through step t, written by {@link #backwardStep} (B × hidden). */
    final DMatrixRMaj dHprev = new DMatrixRMaj(1, 1);
    /** Whᵀ, refreshed once per backward (G × hidden). */
    final DMatrixRMaj WhT;
    private final DMatrixRMaj WxT;
    private final DMatrixRMaj dX = new DMatrixRMaj(1, 1);
    private double[] stepNorms;

    RecurrentLayer(String name, int inputs, int hidden, int gates, int timeSteps) {
        if (inputs < 1 || hidden < 1) {
            throw new IllegalArgumentException(name + ": inputs and hidden must be >= 1, got " + inputs + ", " + hidden);
        }
        this.name = name;
        this.inputs = inputs;
        this.hidden = hidden;
        this.gateWidth = gates * hidden;
        this.Wx = new Parameter(name + ".Wx", inputs, gateWidth);
        this.Wh = new Parameter(name + ".Wh", hidden, gateWidth);
        this.b = new Parameter(name + ".b", 1, gateWidth);
        this.WhT = new DMatrixRMaj(gateWidth, hidden);
        this.WxT = new DMatrixRMaj(gateWidth, inputs);
        setTimeSteps(timeSteps);
    }

    /** Input weights Xavier-uniform per gate, recurrent weights orthogonal per gate, biases zero. */
    final void initialize(RandomGenerator rng) {
        RecurrentInit.xavierUniformBlocks(Wx.value(), hidden, rng);
        RecurrentInit.orthogonalBlocks(Wh.value(), hidden, 1.0, rng);
        b.value().zero();
    }

    /** Sets T, the number of time steps each input sequence has; buffers follow at the next forward. */
    public final void setTimeSteps(int timeSteps) {
        if (timeSteps < 1) throw new IllegalArgumentException(name + ": timeSteps must be >= 1, got " + timeSteps);
        this.timeSteps = timeSteps;
        if (stepNorms == null || stepNorms.length != timeSteps) stepNorms = new double[timeSteps];
    }

    public final int timeSteps() {
        return timeSteps;
    }

    @Override
    public final DMatrixRMaj forward(DMatrixRMaj X) {
        if (X.numCols != inputs) {
            throw new IllegalArgumentException(name + ": expected " + inputs + " input columns, got " + X.numCols);
        }
        if (X.numRows == 0 || X.numRows % timeSteps != 0) {
            throw new IllegalArgumentException(name + ": expected (timeSteps·batch) = " + timeSteps
                    + "·B input rows, got " + X.numRows);
        }
        this.X = X;
        int rows = X.numRows;
        batch = rows / timeSteps;
        Z.reshape(rows, gateWidth);
        Hprev.reshape(rows, hidden);
        Y.reshape(rows, hidden);
        reshapeSteps(rows);
        // Z = X · Wx + 1 · b   (the input part of every step at once)
        MatrixOps.mult(X, Wx.value(), Z);
        addToEveryRow(b.value().data, Z);
        // h₋₁ = 0
        Arrays.fill(Hprev.data, 0, batch * hidden, 0);
        int block = batch * hidden;
        for (int t = 0; t < timeSteps; t++) {
            forwardStep(t, t * batch);
            if (t + 1 < timeSteps) System.arraycopy(Y.data, t * block, Hprev.data, (t + 1) * block, block);
        }
        return Y;
    }

    @Override
    public final DMatrixRMaj backward(DMatrixRMaj dA) {
        int rows = timeSteps * batch;
        if (dA.numRows != rows || dA.numCols != hidden) {
            throw new IllegalArgumentException(name + ": expected a " + rows + "x" + hidden + " output gradient, got "
                    + dA.numRows + "x" + dA.numCols);
        }
        dZ.reshape(rows, gateWidth);
        dH.reshape(batch, hidden);
        dHprev.reshape(batch, hidden);
        dHprev.zero();
        beginBackward();
        CommonOps_DDRM.transpose(Wh.value(), WhT);
        int block = batch * hidden;
        double[] da = dA.data, dh = dH.data, dhp = dHprev.data;
        for (int t = timeSteps - 1; t >= 0; t--) {
            // ∂L/∂h_t = dA_t (the loss reads h_t) + ∂L/∂h_t through step t+1
            for (int i = 0, off = t * block; i < block; i++) dh[i] = da[off + i] + dhp[i];
            stepNorms[t] = Norms.l2(dh, block);
            backwardStep(t, t * batch, t > 0);
        }
        // dWx += Xᵀ · dZ   (summed over all time steps)
        MatrixOps.multAddTransA(X, dZ, Wx.grad());
        // db += 1ᵀ · dZ
        addColumnSums(dZ, b.grad().data);
        // dWh += H₋₁ᵀ · dZh
        MatrixOps.multAddTransA(Hprev, recurrentPreactivationGrad(), Wh.grad());
        accumulateExtraGradients();
        if (!inputGradientNeeded) return null;
        // dX = dZ · Wxᵀ
        dX.reshape(rows, inputs);
        MatrixOps.multTransB(dZ, Wx.value(), WxT, dX);
        return dX;
    }

    /** Reshapes the cell's own per-step buffers to {@code rows} = T·B rows. */
    abstract void reshapeSteps(int rows);

    /**
     * Step t, whose rows start at {@code r0}: completes Z's block t with the recurrent part (from
     * Hprev's block t) and writes h_t into Y's block t.
     */
    abstract void forwardStep(int t, int r0);

    /** Called before the steps are walked backwards, e.g. to zero a carried cell gradient. */
    void beginBackward() {
    }

    /**
     * Step t, rows from {@code r0}, given ∂L/∂h_t in dH: writes dZ's block t and, when
     * {@code needPrev}, ∂L/∂h_{t−1} through this step into dHprev (overwriting it).
     */
    abstract void backwardStep(int t, int r0, boolean needPrev);

    /** ∂L/∂(h_{t−1}·Wh) over all steps, for dWh: dZ unless the cell gates the recurrent product. */
    DMatrixRMaj recurrentPreactivationGrad() {
        return dZ;
    }

    /** Adds the gradients of any parameters beyond Wx, Wh and b. */
    void accumulateExtraGradients() {
    }

    static void addToEveryRow(double[] row, DMatrixRMaj M) {
        double[] m = M.data;
        int cols = M.numCols;
        for (int r = 0, off = 0; r < M.numRows; r++, off += cols) {
            for (int c = 0; c < cols; c++) m[off + c] += row[c];
        }
    }

    static void addColumnSums(DMatrixRMaj M, double[] out) {
        double[] m = M.data;
        int cols = M.numCols;
        for (int r = 0, off = 0; r < M.numRows; r++, off += cols) {
            for (int c = 0; c < cols; c++) out[c] += m[off + c];
        }
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Override
    public final double[] timeStepGradNorms() {
        return stepNorms;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public void setInputGradientNeeded(boolean needed) {
        this.inputGradientNeeded = needed;
    }

    /** Input weights, inputs × (gates·hidden). */
    public final Parameter inputWeights() {
        return Wx;
    }

    /** Recurrent weights, hidden × (gates·hidden). */
    public final Parameter recurrentWeights() {
        return Wh;
    }

    /** Bias of the input side, 1 × (gates·hidden). */
    public final Parameter bias() {
        return b;
    }

    public final int inputs() {
        return inputs;
    }

    public final int hidden() {
        return hidden;
    }

    /** Parameters in the order Wx, Wh, b (then any extra), for subclasses' {@link #parameters()}. */
    static List<Parameter> standard(RecurrentLayer l) {
        return List.of(l.Wx, l.Wh, l.b);
    }
}
