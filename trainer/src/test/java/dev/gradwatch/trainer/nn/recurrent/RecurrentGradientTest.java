package dev.gradwatch.trainer.nn.recurrent;

import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Dense;
import dev.gradwatch.trainer.nn.GradCheck;
import dev.gradwatch.trainer.nn.Init;
import dev.gradwatch.trainer.nn.Loss;
import dev.gradwatch.trainer.nn.Sequential;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Backpropagation through time against central differences, for every parameter and the input sequence. */
class RecurrentGradientTest {

    static final int INPUTS = 3, HIDDEN = 4, STEPS = 6, BATCH = 2;

    static RecurrentLayer layer(String kind, int inputs, int hidden, int steps, SplittableRandom rng) {
        return switch (kind) {
            case "rnn" -> new Rnn("rnn", inputs, hidden, steps, rng);
            case "lstm" -> new Lstm("lstm", inputs, hidden, steps, 1.0, rng);
            case "gru" -> new Gru("gru", inputs, hidden, steps, rng);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** Moves biases off zero so no gate sits at a special point. */
    static void randomizeBiases(RecurrentLayer l, SplittableRandom rng) {
        for (Parameter p : l.parameters()) {
            if (p.value().numRows == 1) {
                for (int i = 0; i < p.size(); i++) p.value().data[i] += 0.3 * rng.nextGaussian();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rnn", "lstm", "gru"})
    void everyWeightBiasAndInputStepGetsItsCentralDifferenceGradientWhenTheLossReadsEveryHiddenState(String kind) {
        SplittableRandom rng = new SplittableRandom(7);
        RecurrentLayer l = layer(kind, INPUTS, HIDDEN, STEPS, rng);
        randomizeBiases(l, rng);
        DMatrixRMaj X = GradCheck.gaussian(STEPS * BATCH, INPUTS, 1.0, rng);
        // L = Σ R ⊙ Y, so ∂L/∂Y = R reaches every time step directly and through the recurrence
        DMatrixRMaj R = GradCheck.gaussian(STEPS * BATCH, HIDDEN, 1.0, rng);

        l.zeroGrad();
        l.forward(X);
        DMatrixRMaj dX = l.backward(R).copy();

        DoubleSupplier L = () -> GradCheck.weightedSum(l.forward(X), R);
        double worst = 0;
        for (Parameter p : l.parameters()) {
            DMatrixRMaj numeric = GradCheck.numeric(p.value(), L);
            worst = Math.max(worst, GradCheck.relativeError(p.grad(), numeric));
            GradCheck.assertMatches(kind + " " + p.name(), p.grad().copy(), numeric);
        }
        DMatrixRMaj numericX = GradCheck.numeric(X, L);
        worst = Math.max(worst, GradCheck.relativeError(dX, numericX));
        GradCheck.assertMatches(kind + " dX", dX, numericX);
        System.out.printf("%s, T=%d, loss on every step: max relative error %.2e%n", kind, STEPS, worst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rnn", "lstm", "gru"})
    void aDenseHeadOnTheLastTimeStepBackPropagatesToEveryStepOfTheInput(String kind) {
        SplittableRandom rng = new SplittableRandom(11);
        RecurrentLayer l = layer(kind, INPUTS, HIDDEN, STEPS, rng);
        randomizeBiases(l, rng);
        Sequential net = new Sequential("net", List.of(l, new LastTimeStep("last", STEPS),
                new Dense("head", HIDDEN, 2, Activation.LINEAR, new Init.PytorchDefault(), rng)));
        Loss loss = Loss.of("mse");
        DMatrixRMaj X = GradCheck.gaussian(STEPS * BATCH, INPUTS, 1.0, rng);
        DMatrixRMaj T = GradCheck.gaussian(BATCH, 2, 1.0, rng);

        net.zeroGrad();
        assertEquals(BATCH, net.forward(X).numRows);
        loss.forward(net.forward(X), T);
        DMatrixRMaj dX = net.backward(loss.backward()).copy();

        DoubleSupplier L = () -> loss.forward(net.forward(X), T);
        double worst = 0;
        for (Parameter p : net.parameters()) {
            DMatrixRMaj numeric = GradCheck.numeric(p.value(), L);
            worst = Math.max(worst, GradCheck.relativeError(p.grad(), numeric));
            GradCheck.assertMatches(kind + " " + p.name(), p.grad().copy(), numeric);
        }
        DMatrixRMaj numericX = GradCheck.numeric(X, L);
        worst = Math.max(worst, GradCheck.relativeError(dX, numericX));
        GradCheck.assertMatches(kind + " dX", dX, numericX);
        System.out.printf("%s, T=%d, MSE on a dense head at the last step: max relative error %.2e%n", kind, STEPS, worst);
    }

    @org.junit.jupiter.api.Test
    void stackedRecurrentLayersPassEveryStepsGradientDownToTheLayerBelow() {
        SplittableRandom rng = new SplittableRandom(13);
        int steps = 5;
        RecurrentLayer lstm = layer("lstm", INPUTS, HIDDEN, steps, rng), gru = layer("gru", HIDDEN, 3, steps, rng);
        Rnn rnn = new Rnn("rnn", 3, 3, steps, rng);
        randomizeBiases(lstm, rng);
        randomizeBiases(gru, rng);
        randomizeBiases(rnn, rng);
        Sequential net = new Sequential("net", List.of(lstm, gru, rnn, new LastTimeStep("last", steps),
                new Dense("head", 3, 1, Activation.LINEAR, new Init.PytorchDefault(), rng)));
        Loss loss = Loss.of("mse");
        DMatrixRMaj X = GradCheck.gaussian(steps * BATCH, INPUTS, 1.0, rng);
        DMatrixRMaj T = GradCheck.gaussian(BATCH, 1, 1.0, rng);

        net.zeroGrad();
        loss.forward(net.forward(X), T);
        DMatrixRMaj dX = net.backward(loss.backward()).copy();

        DoubleSupplier L = () -> loss.forward(net.forward(X), T);
        double worst = 0;
        for (Parameter p : net.parameters()) {
            DMatrixRMaj numeric = GradCheck.numeric(p.value(), L);
            worst = Math.max(worst, GradCheck.relativeError(p.grad(), numeric));
            GradCheck.assertMatches("stack " + p.name(), p.grad().copy(), numeric);
        }
        DMatrixRMaj numericX = GradCheck.numeric(X, L);
        worst = Math.max(worst, GradCheck.relativeError(dX, numericX));
        GradCheck.assertMatches("stack dX", dX, numericX);
        System.out.printf("lstm → gru → rnn stack, T=%d: max relative error %.2e%n", steps, worst);
    }
}
