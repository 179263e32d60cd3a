package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;

/** An element-wise nonlinearity A = f(Z), with its derivative next to it. */
public interface Activation {

    /** Name used in layer kinds and model specs, e.g. {@code sigmoid}. */
    String name();

    /** A = f(Z), element-wise; A has Z's shape and is not Z. */
    void forward(DMatrixRMaj Z, DMatrixRMaj A);

    /** dZ = dA ⊙ f′(Z), given the A = f(Z) of the same forward; dZ aliases none of the inputs. */
    void backward(DMatrixRMaj Z, DMatrixRMaj A, DMatrixRMaj dA, DMatrixRMaj dZ);

    Activation SIGMOID = new Sigmoid();
    Activation TANH = new Tanh();
    Activation RELU = new Relu(0);
    Activation LINEAR = new Linear();
    Activation ELU = new Elu(1);
    /** GELU in its exact erf form, PyTorch's default. */
    Activation GELU = new Gelu(false);
    /** GELU in its tanh approximation, PyTorch's {@code approximate='tanh'}. */
    Activation GELU_TANH = new Gelu(true);

    /**
     * Parses {@code sigmoid}, {@code tanh}, {@code relu}, {@code leaky-relu:<slope>}, {@code elu},
     * {@code elu:<α>}, {@code gelu} (exact), {@code gelu-tanh} or {@code linear}.
     */
    static Activation of(String name) {
        if (name != null) {
            switch (name) {
                case "sigmoid": return SIGMOID;
                case "tanh": return TANH;
                case "relu": return RELU;
                case "linear": return LINEAR;
                case "elu": return ELU;
                case "gelu": return GELU;
                case "gelu-tanh": return GELU_TANH;
                default:
                    if (name.startsWith("leaky-relu:")) {
                        try {
                            return new Relu(Double.parseDouble(name.substring("leaky-relu:".length())));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("activation \"" + name
                                    + "\": expected leaky-relu:<slope> with a slope in [0, 1)", e);
                        }
                    }
                    if (name.startsWith("elu:")) {
                        try {
                            return new Elu(Double.parseDouble(name.substring("elu:".length())));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("activation \"" + name
                                    + "\": expected elu:<α> with a finite α > 0", e);
                        }
                    }
            }
        }
        throw new IllegalArgumentException("activation must be one of sigmoid, tanh, relu, leaky-relu:<slope>, "
                + "elu, elu:<α>, gelu, gelu-tanh, linear; got \"" + name + "\"");
    }
}
