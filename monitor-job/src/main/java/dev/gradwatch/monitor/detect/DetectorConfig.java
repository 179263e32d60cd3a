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
 *                            growing from 1e-9 to 1e-6 is noise in a vanished layer, not an explosion
 */
public record DetectorConfig(
        int windowSize,
        int windowSlide,
        int resolveAfterWindows,
        double vanishingFloor,
        double ratioFloor,
        double explodingCeiling,
        double growthFactor,
        double growthMinNorm) implements java.io.Serializable {

    public static final DetectorConfig DEFAULTS = new DetectorConfig(10, 5, 2, 1e-7, 1e-4, 1e3, 100, 1.0);

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
        if (vanishingFloor >= explodingCeiling) {
            throw new IllegalArgumentException("vanishing.floor (" + vanishingFloor
                    + ") must be below exploding.ceiling (" + explodingCeiling + ")");
        }
    }

    public StepWindows windows() {
        return new StepWindows(windowSize, windowSlide);
    }

    static void requirePositive(double v, String key) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(key + " must be a finite number > 0, got " + v);
        }
    }
}
