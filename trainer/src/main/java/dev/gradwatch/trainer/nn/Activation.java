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

    /** Parses {@code sigmoid}, {@code tanh}, {@code relu}, {@code leaky-relu:<slope>} or {@code linear}. */
    static Activation of(String name) {
        if (name != null) {
            switch (name) {
                case "sigmoid": return SIGMOID;
                case "tanh": return TANH;
                case "relu": return RELU;
                case "linear": return LINEAR;
                default:
                    if (name.startsWith("leaky-relu:")) {
                        try {
                            return new Relu(Double.parseDouble(name.substring("leaky-relu:".length())));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("activation \"" + name
                                    + "\": expected leaky-relu:<slope> with a slope in [0, 1)", e);
                        }
                    }
            }
        }
        throw new IllegalArgumentException("activation must be one of sigmoid, tanh, relu, leaky-relu:<slope>, "
                + "linear; got \"" + name + "\"");
    }
}
