package dev.gradwatch.trainer.optim;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.engine.Norms;
import dev.gradwatch.trainer.engine.Parameter;
import org.ejml.dense.row.CommonOps_DDRM;

import java.util.ArrayList;
import java.util.List;

/**
 * Gradient clipping by norm, layer by layer: the global-norm rule of Pascanu, Mikolov and Bengio
 * 2013 ("On the difficulty of training recurrent neural networks", ICML) applied to each
 * parameterised layer's gradients on their own, so one exploding layer is scaled down without
 * shrinking the others: gₗ ← gₗ · min(1, maxNorm / (‖gₗ‖ + 1e-6)).
 *
 * <p>Works on groups of parameters (one group per layer) and never on a layer's insides; the
 * norms of the last call are kept in a preallocated array.
 */
public final class ClipPerLayer {

    private final List<List<Parameter>> groups;
    private final List<Parameter> all;
    private final double[] norms;

    /** One group of parameters per layer. */
    public ClipPerLayer(List<List<Parameter>> groups) {
        List<List<Parameter>> gs = new ArrayList<>();
        List<Parameter> flat = new ArrayList<>();
        for (List<Parameter> g : groups) {
            gs.add(List.copyOf(g));
            flat.addAll(g);
        }
        this.groups = List.copyOf(gs);
        this.all = List.copyOf(flat);
        this.norms = new double[groups.size()];
    }

    /** One group per parameterised leaf of {@code model}, containers looked through, input side first. */
    public static ClipPerLayer forLayersOf(Layer model) {
        List<List<Parameter>> groups = new ArrayList<>();
        for (Layer leaf : Layer.parameterisedLeaves(model)) groups.add(leaf.parameters());
        return new ClipPerLayer(groups);
    }

    /**
     * Clips each group to norm {@code maxNorm} (+Inf: never) and returns the global L2 norm of all
     * gradients before clipping. If it is not finite it is returned as is and no gradient is
     * touched: the caller must not apply them.
     */
    public double clip(double maxNorm) {
        return clip(maxNorm, Norms.globalGradL2(all));
    }

    /**
     * As {@link #clip(double)}, for a caller that already took the global norm of all the
     * gradients, {@code total}, and so saves the pass over them.
     */
    public double clip(double maxNorm, double total) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("maxNorm must be > 0 (or +Inf), got " + maxNorm);
        for (int l = 0; l < groups.size(); l++) norms[l] = Norms.globalGradL2(groups.get(l));
        if (!Double.isFinite(total)) return total;
        for (int l = 0; l < groups.size(); l++) {
            double coef = maxNorm / (norms[l] + ClipGradNorm.EPSILON);
            if (coef >= 1) continue;
            List<Parameter> ps = groups.get(l);
            // gₗ = gₗ · maxNorm / (‖gₗ‖ + ε)
            for (int p = 0; p < ps.size(); p++) CommonOps_DDRM.scale(coef, ps.get(p).grad());
        }
        return total;
    }

    /** Number of groups (layers). */
    public int groupCount() {
        return groups.size();
    }

    /** ‖gₗ‖ of group l before the last {@link #clip}. */
    public double normBeforeClip(int l) {
        return norms[l];
    }
}
