package dev.gradwatch.trainer.optim;

/**
 * The learning rate of step t (0-based) as a factor of the base rate. Schedules compose:
 * {@link Warmup} runs any other schedule after its ramp.
 */
public sealed interface LearningRateSchedule {

    /** Multiplier of the base learning rate at step t ≥ 0. */
    double factor(long t);

    /** Sets {@code optimizer}'s rate for step t to base·factor(t). */
    default void apply(Optimizer optimizer, double baseLearningRate, long t) {
        optimizer.setLearningRate(baseLearningRate * factor(t));
    }

    /** The base rate at every step. */
    record Constant() implements LearningRateSchedule {
        @Override
        public double factor(long t) {
            return 1;
        }
    }

    /**
     * γ^⌊t / stepSize⌋: the rate is multiplied by γ every {@code stepSize} steps, PyTorch's
     * {@code StepLR} (the step decay of He et al. 2016, "Deep Residual Learning", CVPR).
     */
    record Step(long stepSize, double gamma) implements LearningRateSchedule {
        public Step {
            if (stepSize < 1) throw new IllegalArgumentException("stepSize must be >= 1, got " + stepSize);
            if (!(gamma > 0 && gamma <= 1)) throw new IllegalArgumentException("gamma must be in (0, 1], got " + gamma);
        }

        @Override
        public double factor(long t) {
            return Math.pow(gamma, t / stepSize);
        }
    }

    /**
     * Cosine annealing from 1 down to {@code minFactor} over {@code totalSteps}, then flat:
     * min + (1 − min)·½(1 + cos(π·t/T)) (Loshchilov and Hutter 2017, "SGDR: Stochastic Gradient
     * Descent with Warm Restarts", ICLR; one cycle, no restarts, as PyTorch's {@code CosineAnnealingLR}).
     */
    record Cosine(long totalSteps, double minFactor) implements LearningRateSchedule {
        public Cosine {
            if (totalSteps < 1) throw new IllegalArgumentException("totalSteps must be >= 1, got " + totalSteps);
            if (!(minFactor >= 0 && minFactor <= 1)) throw new IllegalArgumentException("minFactor must be in [0, 1], got " + minFactor);
        }

        @Override
        public double factor(long t) {
            if (t >= totalSteps) return minFactor;
            return minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * t / totalSteps));
        }
    }

    /**
     * Linear warm-up over {@code steps} steps, then {@code after} started afresh: (t + 1)/steps ·
     * after(0) while t &lt; steps, after(t − steps) from then on (Goyal et al. 2017, "Accurate, Large
     * Minibatch SGD: Training ImageNet in 1 Hour", arXiv:1706.02677). With a constant
     * {@code after} this is the warm-up of {@code ModelSpec}, min(1, (t + 1)/steps).
     */
    record Warmup(long steps, LearningRateSchedule after) implements LearningRateSchedule {
        public Warmup {
            if (steps < 1) throw new IllegalArgumentException("warm-up steps must be >= 1, got " + steps);
            if (after == null) throw new IllegalArgumentException("warm-up needs a schedule to run after it");
        }

        @Override
        public double factor(long t) {
            return t < steps ? (t + 1) / (double) steps * after.factor(0) : after.factor(t - steps);
        }
    }
}
