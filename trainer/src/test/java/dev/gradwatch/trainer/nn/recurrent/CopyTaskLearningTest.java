package dev.gradwatch.trainer.nn.recurrent;

import dev.gradwatch.trainer.data.CopyTask;
import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Dense;
import dev.gradwatch.trainer.nn.Init;
import dev.gradwatch.trainer.nn.Sequential;
import dev.gradwatch.trainer.nn.SoftmaxCrossEntropy;
import dev.gradwatch.trainer.optim.Adam;
import dev.gradwatch.trainer.optim.ClipGradNorm;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** End to end with a dense head on every time step: a GRU recalls a short sequence after a delay. */
class CopyTaskLearningTest {

    static final int SYMBOLS = 4, LENGTH = 3, DELAY = 5, HIDDEN = 32, BATCH = 32, TRAINING_STEPS = 600;

    @Test
    void aGruRecallsThreeSymbolsAcrossADelayOfFiveSteps() {
        CopyTask train = new CopyTask(SYMBOLS, LENGTH, DELAY, 1);
        int steps = train.timeSteps();
        SplittableRandom rng = new SplittableRandom(1);
        Sequential net = new Sequential("net", List.of(
                new Gru("gru", train.inputDim(), HIDDEN, steps, rng),
                new Dense("head", HIDDEN, train.outputDim(), Activation.LINEAR, new Init.XavierUniform(), rng)));
        net.setInputGradientNeeded(false);
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        Adam adam = Adam.adam(net.parameters(), 0.01);
        DMatrixRMaj X = new DMatrixRMaj(1, 1), T = new DMatrixRMaj(1, 1);
        for (int i = 0; i < TRAINING_STEPS; i++) {
            train.nextBatch(BATCH, X, T);
            net.zeroGrad();
            ce.forward(net.forward(X), T);
            net.backward(ce.backward());
            ClipGradNorm.clip(net.parameters(), 1.0);
            adam.step();
        }

        CopyTask test = new CopyTask(SYMBOLS, LENGTH, DELAY, 2);
        int evalBatch = 200;
        test.nextBatch(evalBatch, X, T);
        DMatrixRMaj logits = net.forward(X);
        double loss = ce.forward(logits, T);
        int correct = 0;
        for (int t = LENGTH + DELAY; t < steps; t++) {
            for (int n = 0; n < evalBatch; n++) {
                int row = t * evalBatch + n;
                if (argmax(logits, row) == argmax(T, row)) correct++;
            }
        }
        double recall = (double) correct / (LENGTH * evalBatch);
        double baseline = LENGTH * Math.log(SYMBOLS) / steps;
        System.out.printf("copy task T=%d: test cross-entropy %.4f per step (baseline %.3f), %.1f%% of symbols recalled "
                + "after %d steps%n", steps, loss, baseline, 100 * recall, TRAINING_STEPS);
        assertTrue(loss < baseline / 4, "cross-entropy " + loss);
        assertTrue(recall > 0.95, "recalled " + recall);
    }

    private static int argmax(DMatrixRMaj M, int row) {
        int best = 0;
        for (int c = 1; c < M.numCols; c++) if (M.get(row, c) > M.get(row, best)) best = c;
        return best;
    }
}
