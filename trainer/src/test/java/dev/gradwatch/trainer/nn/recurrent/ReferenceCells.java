package dev.gradwatch.trainer.nn.recurrent;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The RNN, LSTM and GRU written the slow, obvious way, straight from their papers' equations: one
 * matrix per gate and per time step, fresh allocations everywhere. An oracle for the forward pass
 * of the optimised layers (the finite-difference checks then vouch for their backward).
 */
final class ReferenceCells {

    private ReferenceCells() {
    }

    /** h_0 … h_{T−1}, each B × hidden, for the layer's current weights and a time-major X. */
    static DMatrixRMaj[] run(String kind, RecurrentLayer layer, DMatrixRMaj X, int steps) {
        int H = layer.hidden(), B = X.numRows / steps;
        int gates = layer.inputWeights().value().numCols / H;
        DMatrixRMaj[] Wx = new DMatrixRMaj[gates], Wh = new DMatrixRMaj[gates], b = new DMatrixRMaj[gates], bh = new DMatrixRMaj[gates];
        for (int g = 0; g < gates; g++) {
            Wx[g] = CommonOps_DDRM.extract(layer.inputWeights().value(), 0, layer.inputs(), g * H, (g + 1) * H);
            Wh[g] = CommonOps_DDRM.extract(layer.recurrentWeights().value(), 0, H, g * H, (g + 1) * H);
            b[g] = CommonOps_DDRM.extract(layer.bias().value(), 0, 1, g * H, (g + 1) * H);
            bh[g] = layer instanceof Gru gru ? CommonOps_DDRM.extract(gru.recurrentBias().value(), 0, 1, g * H, (g + 1) * H)
                    : new DMatrixRMaj(1, H);
        }
        DMatrixRMaj h = new DMatrixRMaj(B, H), c = new DMatrixRMaj(B, H);
        DMatrixRMaj[] out = new DMatrixRMaj[steps];
        for (int t = 0; t < steps; t++) {
            DMatrixRMaj x = TimeMajor.step(X, steps, t, new DMatrixRMaj(1, 1));
            DMatrixRMaj next = new DMatrixRMaj(B, H);
            switch (kind) {
                case "rnn" -> {
                    DMatrixRMaj z = affine(x, Wx[0], b[0], h, Wh[0], bh[0]);
                    for (int i = 0; i < z.data.length; i++) next.data[i] = Math.tanh(z.data[i]);
                }
                case "lstm" -> {
                    DMatrixRMaj zi = affine(x, Wx[0], b[0], h, Wh[0], bh[0]), zf = affine(x, Wx[1], b[1], h, Wh[1], bh[1]);
                    DMatrixRMaj zg = affine(x, Wx[2], b[2], h, Wh[2], bh[2]), zo = affine(x, Wx[3], b[3], h, Wh[3], bh[3]);
                    DMatrixRMaj cNext = new DMatrixRMaj(B, H);
                    for (int i = 0; i < zi.data.length; i++) {
                        cNext.data[i] = sigma(zf.data[i]) * c.data[i] + sigma(zi.data[i]) * Math.tanh(zg.data[i]);
                        next.data[i] = sigma(zo.data[i]) * Math.tanh(cNext.data[i]);
                    }
                    c = cNext;
                }
                case "gru" -> {
                    DMatrixRMaj xr = affine(x, Wx[0], b[0], null, null, null), ur = affine(h, Wh[0], bh[0], null, null, null);
                    DMatrixRMaj xz = affine(x, Wx[1], b[1], null, null, null), uz = affine(h, Wh[1], bh[1], null, null, null);
                    DMatrixRMaj xn = affine(x, Wx[2], b[2], null, null, null), un = affine(h, Wh[2], bh[2], null, null, null);
                    for (int i = 0; i < xr.data.length; i++) {
                        double r = sigma(xr.data[i] + ur.data[i]), z = sigma(xz.data[i] + uz.data[i]);
                        double n = Math.tanh(xn.data[i] + r * un.data[i]);
                        next.data[i] = (1 - z) * n + z * h.data[i];
                    }
                }
                default -> throw new IllegalArgumentException(kind);
            }
            h = next;
            out[t] = next;
        }
        return out;
    }

    /** x·W + b (+ h·U + c when U is given), b and c added to every row. */
    private static DMatrixRMaj affine(DMatrixRMaj x, DMatrixRMaj W, DMatrixRMaj b, DMatrixRMaj h, DMatrixRMaj U, DMatrixRMaj c) {
        DMatrixRMaj z = new DMatrixRMaj(x.numRows, W.numCols);
        CommonOps_DDRM.mult(x, W, z);
        if (U != null) CommonOps_DDRM.multAdd(h, U, z);
        for (int r = 0; r < z.numRows; r++) {
            for (int j = 0; j < z.numCols; j++) z.add(r, j, b.get(0, j) + (c == null ? 0 : c.get(0, j)));
        }
        return z;
    }

    private static double sigma(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
