package dev.gradwatch.trainer.nn.recurrent;

import dev.gradwatch.trainer.data.AddingProblem;
import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Dense;
import dev.gradwatch.trainer.nn.Init;
import dev.gradwatch.trainer.nn.Loss;
import dev.gradwatch.trainer.nn.Sequential;
import dev.gradwatch.trainer.optim.ClipGradNorm;
import dev.gradwatch.trainer.optim.Sgd;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** End to end: an LSTM carries the two marked values across the sequence and beats the mean predictor. */
class AddingProblemLearningTest {

    static final int STEPS = 10, BATCH = 32, HIDDEN = 16, TRAINING_STEPS = 1000;

    @Test
    void anLstmLearnsTheAddingProblemWithTenStepsToAFractionOfTheBaselineMse() {
        SplittableRandom rng = new SplittableRandom(1);
        Sequential net = new Sequential("net", List.of(
                new Lstm("lstm", 2, HIDDEN, STEPS, 1.0, rng),
                new LastTimeStep("last", STEPS),
                new Dense("head", HIDDEN, 1, Activation.LINEAR, new Init.XavierUniform(), rng)));
        net.setInputGradientNeeded(false);
        Loss mse = Loss.of("mse");
        Sgd sgd = new Sgd(net.parameters(), 0.1, 0.9);
        AddingProblem train = new AddingProblem(STEPS, 2);
        DMatrixRMaj X = new DMatrixRMaj(1, 1), T = new DMatrixRMaj(1, 1);

        double first = 0;
        for (int i = 0; i < TRAINING_STEPS; i++) {
            train.nextBatch(BATCH, X, T);
            net.zeroGrad();
            double loss = mse.forward(net.forward(X), T);
            if (i < 50) first += loss / 50;
            net.backward(mse.backward());
            ClipGradNorm.clip(net.parameters(), 1.0);
            sgd.step();
        }

        AddingProblem test = new AddingProblem(STEPS, 3);
        double testMse = 0;
        for (int i = 0; i < 10; i++) {
            test.nextBatch(100, X, T);
            testMse += mse.forward(net.forward(X), T) / 10;
        }
        System.out.printf("adding problem T=%d: training MSE %.4f over the first 50 steps, test MSE %.5f after %d "
                + "(baseline %.3f)%n", STEPS, first, testMse, TRAINING_STEPS, AddingProblem.BASELINE_MSE);
        assertTrue(testMse < AddingProblem.BASELINE_MSE / 10, "test MSE " + testMse);
    }
}
