package dev.gradwatch.monitor.detect;

/**
 * Window shape and thresholds of the gradient detectors.
 *
 * <p>Windows are counted in training steps: a window of {@code windowSize} steps ends at every
 * step {@code e} with {@code (e + 1) % windowSlide == 0}, so window boundaries depend only on step
 * numbers and replays cut the same windows.
 *
 * @param windowSize          steps per window
 * @param windowSlide         steps between window ends
 * @param resolveAfterWindows clear windows in a row before a firing alert is resolved
 * @param vanishingFloor      a layer's gradient L2 norm below this is vanishing (SageMaker Debugger: 1e-7)
 * @param ratioFloor          first-layer / last-layer gradient norm below this is vanishing across depth
 * @param explodingCeiling    a layer's gradient L2 norm above this is exploding
 * @param growthFactor        last / first norm of a window above this is explosive growth
 * @param growthMinNorm       growth only counts once the norm has reached this size: a tiny gradient
 *                            growing from 1e-9 to 1e-6 is noise in a vanished layer, not an explosion;
 *                            the same floor applies to spikes
 * @param spikeLookback       steps before a sample that its gradient-norm and loss z-scores are taken against
 * @param spikeZ              z-score of log(gradient norm) against the lookback above which a sample is a spike
 * @param spikeMinRatio       a spike must also be at least this many times the lookback's geometric mean
 * @param attenuationFloor    average per-layer attenuation factor (geometric mean of successive layer
 *                            gradient-norm ratios, input side over output side) under this for a whole
 *                            window is vanishing across depth
 * @param deadFraction        a layer whose fraction of dead ReLU units is over this for a whole window is
 *                            dead (SageMaker Debugger DeadRelu: 50%)
 * @param saturatedFraction   a layer whose fraction of saturated sigmoid/tanh units is over this for a whole
 *                            window is saturated (SageMaker Debugger SaturatedActivation: 50%)
 * @param updateRatioMinLog10 the window median of log10(‖Δw‖/‖w‖) under this: the layer barely learns
 * @param updateRatioMaxLog10 the window median of log10(‖Δw‖/‖w‖) over this: updates too large to be stable
 * @param lossSpikeZ          z-score of log(loss) against the lookback above which a step is a loss spike
 * @param lossSpikeMinRatio   a loss spike must also be at least this many times the lookback's geometric mean
 * @param lossMinDecrease     relative decrease of the window-mean loss that counts as progress
 *                            (SageMaker Debugger LossNotDecreasing: 0.1%)
 * @param lossPatienceSteps   steps without progress before the loss counts as not decreasing
 * @param divergenceZ         modified z-score (median/MAD across workers, Iglewicz and Hoaglin 1993) of a
 *                            worker's log gradient norm over which it diverges from its peers
 * @param divergenceMinWorkers fewest workers reporting a step for the cross-worker comparison to be made
 * @param flapWithinWindows   an alert that fires again within this many judged windows after it resolved is
 *                            flapping (0: no flap damping); see {@link AlertLatch}
 * @param flapMaxResolveWindows a flapping alert needs {@code resolveAfterWindows} doubled per flap clear windows
 *                            in a row to resolve, at most this many
 */
public record DetectorConfig(
        int windowSize,
        int windowSlide,
        int resolveAfterWindows,
        double vanishingFloor,
        double ratioFloor,
        double explodingCeiling,
        double growthFactor,
        double growthMinNorm,
        int spikeLookback,
        double spikeZ,
        double spikeMinRatio,
        double attenuationFloor,
        double deadFraction,
        double saturatedFraction,
        double updateRatioMinLog10,
        double updateRatioMaxLog10,
        double lossSpikeZ,
        double lossSpikeMinRatio,
        double lossMinDecrease,
        int lossPatienceSteps,
        double divergenceZ,
        int divergenceMinWorkers,
        int flapWithinWindows,
        int flapMaxResolveWindows) implements java.io.Serializable {

    private static final int FLAP_WITHIN_WINDOWS = 12;
    private static final int FLAP_MAX_RESOLVE_WINDOWS = 32;

    public static final DetectorConfig DEFAULTS = new DetectorConfig(10, 5, 2, 1e-7, 1e-4, 1e3, 100, 1.0,
            20, 8, 3, 0.5, 0.5, 0.5, -6, 0, 6, 3, 0.001, 1000, 3.5, 3, FLAP_WITHIN_WINDOWS, FLAP_MAX_RESOLVE_WINDOWS);

    /** The window and the first rules' thresholds, every later rule at its default. */
    public DetectorConfig(int windowSize, int windowSlide, int resolveAfterWindows, double vanishingFloor,
                          double ratioFloor, double explodingCeiling, double growthFactor, double growthMinNorm) {
        this(windowSize, windowSlide, resolveAfterWindows, vanishingFloor, ratioFloor, explodingCeiling, growthFactor,
                growthMinNorm, DEFAULTS.spikeLookback, DEFAULTS.spikeZ, DEFAULTS.spikeMinRatio, DEFAULTS.attenuationFloor,
                DEFAULTS.deadFraction, DEFAULTS.saturatedFraction, DEFAULTS.updateRatioMinLog10,
                DEFAULTS.updateRatioMaxLog10, DEFAULTS.lossSpikeZ, DEFAULTS.lossSpikeMinRatio, DEFAULTS.lossMinDecrease,
                DEFAULTS.lossPatienceSteps, DEFAULTS.divergenceZ, DEFAULTS.divergenceMinWorkers,
                DEFAULTS.flapWithinWindows, Math.max(resolveAfterWindows, DEFAULTS.flapMaxResolveWindows));
    }

    public DetectorConfig {
        if (windowSize < 2) throw new IllegalArgumentException("window.size must be >= 2, got " + windowSize);
        if (windowSlide < 1 || windowSlide > windowSize) {
            throw new IllegalArgumentException(
                    "window.slide must be between 1 and window.size (" + windowSize + "), got " + windowSlide);
        }
        if (resolveAfterWindows < 1) {
            throw new IllegalArgumentException("resolve.after-windows must be >= 1, got " + resolveAfterWindows);
        }
        requirePositive(vanishingFloor, "vanishing.floor");
        requirePositive(ratioFloor, "ratio.floor");
        requirePositive(explodingCeiling, "exploding.ceiling");
        if (!(growthFactor > 1) || Double.isInfinite(growthFactor)) {
            throw new IllegalArgumentException("growth.factor must be a finite number > 1, got " + growthFactor);
        }
        if (!(growthMinNorm >= 0) || Double.isInfinite(growthMinNorm)) {
            throw new IllegalArgumentException("growth.min-norm must be a finite number >= 0, got " + growthMinNorm);
        }
        if (spikeLookback < 3) throw new IllegalArgumentException("spike.lookback-steps must be >= 3, got " + spikeLookback);
        requirePositive(spikeZ, "spike.z");
        requireAtLeastOne(spikeMinRatio, "spike.min-ratio");
        requireFractionOpen(attenuationFloor, "attenuation.floor");
        requireFractionOpen(deadFraction, "dead-relu.fraction");
        requireFractionOpen(saturatedFraction, "saturation.fraction");
        requireFinite(updateRatioMinLog10, "update-ratio.min-log10");
        requireFinite(updateRatioMaxLog10, "update-ratio.max-log10");
        if (!(updateRatioMinLog10 < updateRatioMaxLog10)) {
            throw new IllegalArgumentException("update-ratio.min-log10 (" + updateRatioMinLog10
                    + ") must be below update-ratio.max-log10 (" + updateRatioMaxLog10 + ")");
        }
        requirePositive(lossSpikeZ, "loss-spike.z");
        requireAtLeastOne(lossSpikeMinRatio, "loss-spike.min-ratio");
        requireFractionOpen(lossMinDecrease, "loss-plateau.min-decrease");
        if (lossPatienceSteps < windowSize) {
            throw new IllegalArgumentException("loss-plateau.patience-steps must be >= window.size (" + windowSize
                    + "), got " + lossPatienceSteps);
        }
        requirePositive(divergenceZ, "divergence.z");
        if (divergenceMinWorkers < 3) {
            throw new IllegalArgumentException("divergence.min-workers must be >= 3 (a median of two says nothing), got "
                    + divergenceMinWorkers);
        }
        if (flapWithinWindows < 0) {
            throw new IllegalArgumentException("flap.within-windows must be >= 0 (0 turns flap damping off), got "
                    + flapWithinWindows);
        }
        if (flapMaxResolveWindows < resolveAfterWindows) {
            throw new IllegalArgumentException("flap.max-resolve-windows must be >= resolve.after-windows ("
                    + resolveAfterWindows + "), got " + flapMaxResolveWindows);
        }
        if (vanishingFloor >= explodingCeiling) {
            throw new IllegalArgumentException("vanishing.floor (" + vanishingFloor
                    + ") must be below exploding.ceiling (" + explodingCeiling + ")");
        }
    }

    public StepWindows windows() {
        return new StepWindows(windowSize, windowSlide);
    }

    /** The ring capacity a layer or step view needs: a window, or a spike lookback and the sample itself. */
    public int historySteps() {
        return Math.max(windowSize, spikeLookback + 1);
    }

    private static void requireFinite(double v, String key) {
        if (!Double.isFinite(v)) throw new IllegalArgumentException(key + " must be a finite number, got " + v);
    }

    private static void requireAtLeastOne(double v, String key) {
        if (!(v >= 1) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(key + " must be a finite number >= 1, got " + v);
        }
    }

    private static void requireFractionOpen(double v, String key) {
        if (!(v > 0 && v < 1)) throw new IllegalArgumentException(key + " must be a number in (0, 1), got " + v);
    }

    static void requirePositive(double v, String key) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(key + " must be a finite number > 0, got " + v);
        }
    }
}
