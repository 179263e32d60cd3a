package dev.gradwatch.trainer.train;

import dev.gradwatch.events.LayerStats;

import java.util.List;

/**
 * The monitor's default rules, restated in the trainer's tests so the demo presets can be checked
 * against them: vanishing = a layer's gradient L2 under 1e-7 on every step of a 10-step window,
 * or first/last layer gradient-norm ratio under 1e-4; exploding = a layer's gradient L2 over 1e3,
 * or any non-finite gradient.
 */
final class DefaultRules {

    static final int WINDOW = 10;
    static final double VANISHING_NORM = 1e-7;
    static final double VANISHING_RATIO = 1e-4;
    static final double EXPLODING_NORM = 1e3;

    private final int[] stepsUnder;

    DefaultRules(int layers) {
        this.stepsUnder = new int[layers];
    }

    static double firstLastRatio(List<LayerStats> layers) {
        return layers.get(0).gradL2() / layers.get(layers.size() - 1).gradL2();
    }

    static double maxNorm(List<LayerStats> layers) {
        double m = 0;
        for (LayerStats l : layers) m = Math.max(m, l.gradL2());
        return m;
    }

    static boolean exploding(List<LayerStats> layers) {
        for (LayerStats l : layers) {
            if (l.hasNonFinite() || l.gradL2() > EXPLODING_NORM) return true;
        }
        return false;
    }

    /** Feeds one step; true when the vanishing rule fires at it. */
    boolean vanishing(List<LayerStats> layers) {
        boolean fires = firstLastRatio(layers) < VANISHING_RATIO;
        for (int i = 0; i < layers.size(); i++) {
            stepsUnder[i] = layers.get(i).gradL2() < VANISHING_NORM ? stepsUnder[i] + 1 : 0;
            if (stepsUnder[i] >= WINDOW) fires = true;
        }
        return fires;
    }

    /** True when some layer has been under the absolute vanishing norm for a whole window. */
    boolean someLayerUnderNormForWholeWindow() {
        for (int s : stepsUnder) if (s >= WINDOW) return true;
        return false;
    }
}
