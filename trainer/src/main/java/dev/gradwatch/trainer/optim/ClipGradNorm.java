package dev.gradwatch.trainer.optim;

import dev.gradwatch.trainer.engine.Norms;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.dense.row.CommonOps_DDRM;

import java.util.List;

/**
 * Gradient clipping by global norm (Pascanu, Mikolov and Bengio 2013, "On the difficulty of
 * training recurrent neural networks", ICML), with PyTorch's {@code clip_grad_norm_} semantics:
 * every gradient is scaled by min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the L2 norm of all
 * gradients taken together, and the norm before clipping is returned.
 */
public final class ClipGradNorm {

    /** Added to the norm before dividing, as PyTorch does. */
    public static final double EPSILON = 1e-6;

    private ClipGradNorm() {
    }

    /**
     * Clips the gradients of {@code params} in place to global norm {@code maxNorm} (+Inf: never)
     * and returns the global norm they had before. A non-finite norm is returned as is and the
     * gradients are left untouched: the caller must not apply them.
     */
    public static double clip(List<Parameter> params, double maxNorm) {
        return clip(params, maxNorm, Norms.globalGradL2(params));
    }

    /**
     * As {@link #clip(List, double)}, for a caller that already took the global norm of the
     * gradients, {@code total}, and so saves the pass over them.
     */
    public static double clip(List<Parameter> params, double maxNorm, double total) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("maxNorm must be > 0 (or +Inf), got " + maxNorm);
        if (!Double.isFinite(total)) return total;
        if (scales(total, maxNorm)) {
            double coef = maxNorm / (total + EPSILON);
            for (int i = 0; i < params.size(); i++) {
                // g = g · maxNorm / (‖g‖ + ε)
                CommonOps_DDRM.scale(coef, params.get(i).grad());
            }
        }
        return total;
    }

    /** Whether clipping gradients of finite global norm {@code total} to {@code maxNorm} changes them. */
    public static boolean scales(double total, double maxNorm) {
        return maxNorm / (total + EPSILON) < 1;
    }
}
