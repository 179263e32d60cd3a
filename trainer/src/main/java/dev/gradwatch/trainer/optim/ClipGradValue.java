package dev.gradwatch.trainer.optim;

import dev.gradwatch.trainer.engine.Norms;
import dev.gradwatch.trainer.engine.Parameter;

import java.util.List;

/**
 * Gradient clipping by value, PyTorch's {@code clip_grad_value_}: every entry is clamped to
 * [−c, c] on its own (the element-wise clipping of Mikolov 2012, "Statistical Language Models
 * Based on Neural Networks", PhD thesis, Brno, discussed against norm clipping by Pascanu et al.
 * 2013). Unlike norm clipping it changes the gradient's direction.
 */
public final class ClipGradValue {

    private ClipGradValue() {
    }

    /**
     * Clamps every gradient entry of {@code params} to [−clipValue, clipValue] and returns the global
     * L2 norm the gradients had before. A non-finite norm is returned as is and the gradients are
     * left untouched: the caller must not apply them.
     */
    public static double clip(List<Parameter> params, double clipValue) {
        return clip(params, clipValue, Norms.globalGradL2(params));
    }

    /**
     * As {@link #clip(List, double)}, for a caller that already took the global norm of the
     * gradients, {@code total}, and so saves the pass over them.
     */
    public static double clip(List<Parameter> params, double clipValue, double total) {
        if (!(clipValue > 0)) throw new IllegalArgumentException("clipValue must be > 0 (or +Inf), got " + clipValue);
        if (!Double.isFinite(total)) return total;
        for (int p = 0; p < params.size(); p++) {
            double[] g = params.get(p).grad().data;
            // g = min(max(g, −c), c)
            for (int i = 0, n = params.get(p).size(); i < n; i++) {
                if (g[i] > clipValue) g[i] = clipValue;
                else if (g[i] < -clipValue) g[i] = -clipValue;
            }
        }
        return total;
    }
}
