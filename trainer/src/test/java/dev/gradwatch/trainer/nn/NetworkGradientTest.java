package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/** The whole chain, forward and backward through several layers and a loss, against finite differences. */
class NetworkGradientTest {

    @ParameterizedTest
    @ValueSource(strings = {"mse", "bce"})
    void everyParameterAndTheInputGetTheirCentralDifferenceGradient(String lossName) {
        SplittableRandom rng = new SplittableRandom(31);
        Init init = new Init.PytorchDefault();
        List<Layer> layers = List.of(
                new Dense("dense0", 4, 6, Activation.TANH, init, rng),
                new Dense("dense1", 6, 5, Activation.RELU, init, rng),
                new Dense("dense2", 5, 5, Activation.SIGMOID, init, rng),
                new Dense("dense3", 5, 2, Activation.LINEAR, init, rng));
        Sequential net = new Sequential("net", layers);
        Loss loss = Loss.of(lossName);
        DMatrixRMaj X = GradCheck.gaussian(7, 4, 1.0, rng);
        DMatrixRMaj T = new DMatrixRMaj(7, 2);
        for (int i = 0; i < T.data.length; i++) T.data[i] = lossName.equals("bce") ? (i * 7 % 3 == 0 ? 1 : 0) : rng.nextGaussian();

        net.zeroGrad();
        loss.forward(net.forward(X), T);
        DMatrixRMaj dX = net.backward(loss.backward()).copy();

        DoubleSupplier L = () -> loss.forward(net.forward(X), T);
        for (Parameter p : net.parameters()) {
            GradCheck.assertMatches(lossName + " " + p.name(), p.grad().copy(), GradCheck.numeric(p.value(), L));
        }
        GradCheck.assertMatches(lossName + " dX", dX, GradCheck.numeric(X, L));
    }
}
