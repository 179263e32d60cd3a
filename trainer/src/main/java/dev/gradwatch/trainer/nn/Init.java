package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

import java.util.random.RandomGenerator;

/**
 * How a dense layer's weights W (fanIn × fanOut) and bias b are drawn. Spelled in model specs as
 * {@code pytorch-default}, {@code normal:<σ>}, {@code uniform:<a>}, {@code xavier-uniform},
 * {@code xavier-normal}, {@code he-normal}, {@code he-uniform}, {@code lecun-normal},
 * {@code lecun-uniform}, {@code orthogonal} or {@code orthogonal:<gain>}.
 */
public sealed interface Init {

    /** Fills W and b; draws W in row-major order, then b, so a seed gives the same network. */
    void initialize(DMatrixRMaj W, DMatrixRMaj b, int fanIn, int fanOut, RandomGenerator rng);

    /** The text {@link #parse} reads back. */
    String spec();

    /**
     * W ~ N(0, σ²), b = 0. A fixed σ ignores the layer width, which is what makes it a good
     * way to build a badly scaled network on purpose.
     */
    record Normal(double sigma) implements Init {
        public Normal {
            if (!(sigma > 0 && Double.isFinite(sigma))) {
                throw new IllegalArgumentException("normal init needs a finite σ > 0, got " + sigma);
            }
        }

        @Override
        public void initialize(DMatrixRMaj W, DMatrixRMaj b, int fanIn, int fanOut, RandomGenerator rng) {
            fillNormal(W, sigma, rng);
            b.zero();
        }

        @Override
        public String spec() {
            return "normal:" + sigma;
        }
    }

    /**
     * W and b ~ U(−1/√fanIn, 1/√fanIn): PyTorch's {@code nn.Linear} default, which is
     * {@code kaiming_uniform_(a=√5)} (He et al. 2015, "Delving Deep into Rectifiers", ICCV) and
     * works out to the 1/√fanIn scaling of LeCun et al. 1998, "Efficient BackProp"; Var(w) =
     * 1/(3·fanIn), a third of what keeps signals at constant size.
     */
    record PytorchDefault() implements Init {
        @Override
        public void initialize(DMatrixRMaj W, DMatrixRMaj b, int fanIn, int fanOut, RandomGenerator rng) {
            double bound = 1 / Math.sqrt(fanIn);
            fillUniform(W, bound, rng);
            fillUniform(b, bound, rng);
        }

        @Override
        public String spec() {
            return "pytorch-default";
        }
    }

    /**
     * W ~ U(−a, a) with a = √(6/(fanIn + fanOut)), b = 0: Glorot and Bengio 2010, "Understanding
     * the difficulty of training deep feedforward neural networks", AISTATS. Keeps the variance
     * of activations and of gradients about constant for symmetric activations such as tanh.
     */
    record XavierUniform() implements Init {
        @Override
        public void initialize(DMatrixRMaj W, DMatrixRMaj b, int fanIn, int fanOut, RandomGenerator rng) {
            fillUniform(W, Math.sqrt(6.0 / (fanIn + fanOut)), rng);
            b.zero();
        }

        @Override
        public String spec() {
            return "xavier-uniform";
        }
    }

    /**
     * W ~ N(0, 2/fanIn), b = 0: He, Zhang, Ren and Sun 2015, "Delving Deep into Rectifiers:
     * Surpassing Human-Level Performance on ImageNet Classification", ICCV. The factor 2 makes up
     * for ReLU zeroing half its inputs, so each ReLU layer has gain about 1 forward and backward.
     */
    record HeNormal() implements Init {
        @Override
        public void initialize(DMatrixRMaj W, DMatrixRMaj b, int fanIn, int fanOut, RandomGenerator rng) {
            fillNormal(W, Math.sqrt(2.0 / fanIn), rng);
            b.zero();
        }

        @Override
        public String spec() {
            return "he-normal";
        }
    }

    /**
     * W ~ U(−a, a) with a given, b = 0: like {@link Normal}, a scale that ignores the width, the
     * uniform weights of the early experiments Glorot and Bengio 2010 (AISTATS) start from.
     */
    record Uniform(double bound) implements Init {
        public Uniform {
            if (!(bound > 0 && Double.isFinite(bound))) {
                throw new IllegalArgumentException("uniform init needs a finite bound a > 0, got " + bound);
            }
        }

        @Override
        public void initialize(DMatrixRMaj W, DMatrixRMaj b, int fanIn, int fanOut, RandomGenerator rng) {
            fillUniform(W, bound, rng);
            b.zero();
        }

        @Override
        public String spec() {
            return "uniform:" + bound;
        }
    }

    /**
     * W ~ N(0, 2/(fanIn + fanOut)), b = 0: the normal form of Glorot and Bengio 2010,
     * "Understanding the difficulty of training deep feedforward neural networks", AISTATS
     * (PyTorch's {@code xavier_normal_}).
     */
    record XavierNormal() implements Init {
        @Override
        public void initialize(DMatrixRMaj W, DMatrixRMaj b, int fanIn, int fanOut, RandomGenerator rng) {
            fillNormal(W, Math.sqrt(2.0 / (fanIn + fanOut)), rng);
            b.zero();
        }

        @Override
        public String spec() {
            return "xavier-normal";
        }
    }

    /**
     * W ~ U(−√(6/fanIn), √(6/fanIn)), b = 0: the uniform form of He, Zhang, Ren and Sun 2015,
     * "Delving Deep into Rectifiers", ICCV; variance 2/fanIn as {@link HeNormal} (PyTorch's
     * {@code kaiming_uniform_(nonlinearity='relu')}).
     */
    record HeUniform() implements Init {
        @Override
        public void initialize(DMatrixRMaj W, DMatrixRMaj b, int fanIn, int fanOut, RandomGenerator rng) {
            fillUniform(W, Math.sqrt(6.0 / fanIn), rng);
            b.zero();
        }

        @Override
        public String spec() {
            return "he-uniform";
        }
    }

    /**
     * W ~ N(0, 1/fanIn), b = 0: LeCun, Bottou, Orr and Müller 1998, "Efficient BackProp", in
     * Neural Networks: Tricks of the Trade; unit gain for linear layers, and the init SELU
     * networks need (Klambauer et al. 2017, "Self-Normalizing Neural Networks", NeurIPS).
     */
    record LeCunNormal() implements Init {
        @Override
        public void initialize(DMatrixRMaj W, DMatrixRMaj b, int fanIn, int fanOut, RandomGenerator rng) {
            fillNormal(W, Math.sqrt(1.0 / fanIn), rng);
            b.zero();
        }

        @Override
        public String spec() {
            return "lecun-normal";
        }
    }

    /** W ~ U(−√(3/fanIn), √(3/fanIn)), b = 0: variance 1/fanIn as {@link LeCunNormal} (LeCun et al. 1998). */
    record LeCunUniform() implements Init {
        @Override
        public void initialize(DMatrixRMaj W, DMatrixRMaj b, int fanIn, int fanOut, RandomGenerator rng) {
            fillUniform(W, Math.sqrt(3.0 / fanIn), rng);
            b.zero();
        }

        @Override
        public String spec() {
            return "lecun-uniform";
        }
    }

    /**
     * W = gain·Q with Q having orthonormal columns (fanIn ≥ fanOut) or rows (fanIn &lt; fanOut),
     * b = 0: Saxe, McClelland and Ganguli 2014, "Exact solutions to the nonlinear dynamics of
     * learning in deep linear neural networks", ICLR. As PyTorch's {@code orthogonal_}, Q comes
     * from the QR decomposition (EJML's Householder QR) of a Gaussian matrix, with each column
     * multiplied by the sign of R's diagonal so that Q is uniformly (Haar) distributed.
     */
    record Orthogonal(double gain) implements Init {
        public Orthogonal {
            if (!(gain > 0 && Double.isFinite(gain))) {
                throw new IllegalArgumentException("orthogonal init needs a finite gain > 0, got " + gain);
            }
        }

        @Override
        public void initialize(DMatrixRMaj W, DMatrixRMaj b, int fanIn, int fanOut, RandomGenerator rng) {
            int rows = Math.max(W.numRows, W.numCols), cols = Math.min(W.numRows, W.numCols);
            // G ~ N(0, 1), tall (rows ≥ cols);  G = Q·R
            DMatrixRMaj G = new DMatrixRMaj(rows, cols);
            fillNormal(G, 1, rng);
            QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(rows, cols);
            if (!qr.decompose(G)) throw new IllegalStateException("QR decomposition of a Gaussian matrix failed");
            DMatrixRMaj Q = qr.getQ(null, true);
            DMatrixRMaj R = qr.getR(null, true);
            // Q ← gain·Q·diag(sign Rᵢᵢ)
            for (int c = 0; c < cols; c++) {
                double s = R.get(c, c) < 0 ? -gain : gain;
                for (int r = 0; r < rows; r++) Q.set(r, c, s * Q.get(r, c));
            }
            if (W.numRows >= W.numCols) W.setTo(Q);
            else CommonOps_DDRM.transpose(Q, W);
            b.zero();
        }

        @Override
        public String spec() {
            return gain == 1 ? "orthogonal" : "orthogonal:" + gain;
        }
    }

    /** The initializer a spec names; the error lists every accepted spelling. */
    static Init parse(String text) {
        if (text != null) {
            switch (text) {
                case "pytorch-default": return new PytorchDefault();
                case "xavier-uniform": return new XavierUniform();
                case "xavier-normal": return new XavierNormal();
                case "he-normal": return new HeNormal();
                case "he-uniform": return new HeUniform();
                case "lecun-normal": return new LeCunNormal();
                case "lecun-uniform": return new LeCunUniform();
                case "orthogonal": return new Orthogonal(1);
                default:
                    if (text.startsWith("normal:")) return new Normal(number(text, "normal:", "normal:<σ> with a finite σ > 0"));
                    if (text.startsWith("uniform:")) return new Uniform(number(text, "uniform:", "uniform:<a> with a finite a > 0"));
                    if (text.startsWith("orthogonal:")) {
                        return new Orthogonal(number(text, "orthogonal:", "orthogonal:<gain> with a finite gain > 0"));
                    }
            }
        }
        throw new IllegalArgumentException("init must be one of pytorch-default, normal:<σ>, xavier-uniform, he-normal, "
                + "uniform:<a>, xavier-normal, he-uniform, lecun-normal, lecun-uniform, orthogonal, orthogonal:<gain>; got \""
                + text + "\"");
    }

    private static double number(String text, String prefix, String expected) {
        try {
            return Double.parseDouble(text.substring(prefix.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("init \"" + text + "\": expected " + expected, e);
        }
    }

    private static void fillNormal(DMatrixRMaj M, double sigma, RandomGenerator rng) {
        double[] m = M.data;
        for (int i = 0, n = M.getNumElements(); i < n; i++) m[i] = sigma * rng.nextGaussian();
    }

    private static void fillUniform(DMatrixRMaj M, double bound, RandomGenerator rng) {
        double[] m = M.data;
        for (int i = 0, n = M.getNumElements(); i < n; i++) m[i] = bound * (2 * rng.nextDouble() - 1);
    }
}
