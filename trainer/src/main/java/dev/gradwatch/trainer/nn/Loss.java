package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;

/** A scalar loss of a batch of predictions against targets, averaged over every entry. */
public interface Loss {

    /** Name used in model specs, e.g. {@code mse}. */
    String name();

    /** L(Y, T); keeps Y and T for {@link #backward()}. */
    double forward(DMatrixRMaj Y, DMatrixRMaj T);

    /** ∂L/∂Y of the last forward, in a buffer the loss owns. */
    DMatrixRMaj backward();

    /**
     * Parses {@code mse}, {@code bce} (binary cross-entropy on logits) or {@code softmax-ce}
     * (softmax cross-entropy on logits, {@link SoftmaxCrossEntropy}).
     */
    static Loss of(String name) {
        if ("mse".equals(name)) return new MeanSquaredError();
        if ("bce".equals(name)) return new BinaryCrossEntropyWithLogits();
        if ("softmax-ce".equals(name)) return new SoftmaxCrossEntropy();
        throw new IllegalArgumentException("loss must be one of mse, bce, softmax-ce; got \"" + name + "\"");
    }
}
