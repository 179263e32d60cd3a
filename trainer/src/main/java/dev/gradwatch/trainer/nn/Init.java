package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;

import java.util.random.RandomGenerator;

/**
 * How a dense layer's weights W (fanIn × fanOut) and bias b are drawn. Spelled in model specs as
 * {@code pytorch-default}, {@code normal:<σ>}, {@code xavier-uniform} or {@code he-normal}.
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

    static Init parse(String text) {
        if (text != null) {
            switch (text) {
                case "pytorch-default": return new PytorchDefault();
                case "xavier-uniform": return new XavierUniform();
                case "he-normal": return new HeNormal();
                default:
                    if (text.startsWith("normal:")) {
                        try {
                            return new Normal(Double.parseDouble(text.substring("normal:".length())));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("init \"" + text + "\": expected normal:<σ> with a finite σ > 0", e);
                        }
                    }
            }
        }
        throw new IllegalArgumentException("init must be one of pytorch-default, normal:<σ>, xavier-uniform, "
                + "he-normal; got \"" + text + "\"");
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
