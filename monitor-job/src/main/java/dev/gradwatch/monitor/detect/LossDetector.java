package dev.gradwatch.monitor.detect;

import java.util.Map;
import java.util.Optional;

/**
 * The loss not decreasing: no window-mean loss at least {@code minDecrease} (relative) below the
 * best so far for {@code patienceSteps} steps. SageMaker Debugger's LossNotDecreasing asks 0.1%
 * over 10 evaluations; batch losses are noisy, so the comparison is between window means, and the
 * patience is long enough for a slowly improving run (see {@link DetectorConfig}).
 */
public final class LossDetector {

    private LossDetector() {
    }

    /**
     * @param plateau    the progress memory, already updated with the window ending at {@code step}
     * @param windowMean the mean loss of that window
     */
    public static Optional<Finding> notDecreasing(Subject worker, LossPlateau plateau, long step, double windowMean,
                                                  double minDecrease, int patienceSteps, double learningRate) {
        long stalled = plateau.stepsWithoutProgress(step);
        if (stalled < patienceSteps || !Double.isFinite(windowMean)) return Optional.empty();
        Map<String, Double> evidence = Map.of(
                "windowMeanLoss", windowMean,
                "bestWindowMeanLoss", plateau.best,
                "bestAtStep", (double) plateau.bestStep,
                "stepsWithoutProgress", (double) stalled,
                "patienceSteps", (double) patienceSteps,
                "minRelativeDecrease", minDecrease,
                "learningRate", learningRate);
        String summary = "the mean loss of " + worker.describe() + " has not fallen " + Remedies.num(100 * minDecrease)
                + "% below its best " + Remedies.num(plateau.best) + " (steps up to " + plateau.bestStep + ") for "
                + stalled + " steps; now " + Remedies.num(windowMean);
        return Optional.of(Finding.of(Rules.LOSS_NOT_DECREASING, worker, step, summary, evidence,
                Remedies.lossNotDecreasing(windowMean, plateau.best, learningRate)));
    }
}
