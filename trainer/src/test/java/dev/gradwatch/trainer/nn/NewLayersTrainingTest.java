package dev.gradwatch.trainer.nn;

import dev.gradwatch.trainer.optim.Adam;
import dev.gradwatch.trainer.optim.AdaptiveGradClip;
import dev.gradwatch.trainer.optim.LearningRateSchedule;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The new pieces together learn: a batch-normalised residual GELU net with AdamW, warm-up and AGC. */
class NewLayersTrainingTest {

    @Test
    void aNetworkOfTheNewLayersFitsAFixedBatchAndPredictsItInEvaluationMode() {
        SplittableRandom rng = new SplittableRandom(4);
        Sequential model = NewLayersAllocationProbe.network(rng);
        Adam opt = Adam.adamW(model.parameters(), 1e-2, 1e-4);
        AdaptiveGradClip agc = new AdaptiveGradClip(model.parameters(), 0.1);
        LearningRateSchedule schedule = new LearningRateSchedule.Warmup(20, new LearningRateSchedule.Cosine(400, 0.1));
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        DMatrixRMaj X = GradCheck.gaussian(32, 16, 1, rng);
        DMatrixRMaj T = new DMatrixRMaj(32, 4);
        for (int r = 0; r < 32; r++) T.set(r, rng.nextInt(4), 1);
        double first = 0, last = 0;
        for (int t = 0; t < 420; t++) {
            schedule.apply(opt, 1e-2, t);
            model.zeroGrad();
            double L = loss.forward(model.forward(X), T);
            if (t == 0) first = L;
            last = L;
            model.backward(loss.backward());
            assertTrue(Double.isFinite(agc.clip()));
            opt.step();
        }
        assertTrue(first > 1 && last < 0.1, "loss " + first + " → " + last);

        TrainingMode.setTraining(model, false);
        DMatrixRMaj P = new Softmax("p").forward(model.forward(X));
        int correct = 0;
        for (int r = 0; r < 32; r++) {
            int best = 0;
            for (int c = 1; c < 4; c++) if (P.get(r, c) > P.get(r, best)) best = c;
            if (T.get(r, best) == 1) correct++;
        }
        assertTrue(correct >= 30, correct + "/32 right in evaluation mode");
    }
}
