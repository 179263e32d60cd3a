package dev.gradwatch.trainer.optim;

import dev.gradwatch.trainer.engine.Norms;
import dev.gradwatch.trainer.engine.Parameter;

import java.util.List;

/**
 * Adaptive gradient clipping, AGC (Brock, De, Smith and Simonyan 2021, "High-Performance
 * Large-Scale Image Recognition Without Normalization", ICML), unit-wise: for each unit i,
 * if ‖Gᵢ‖ / max(‖Wᵢ‖, ε) &gt; λ then Gᵢ ← Gᵢ · λ·max(‖Wᵢ‖, ε) / ‖Gᵢ‖, so no step moves a unit's
 * weights by more than about λ of their own size.
 *
 * <p>A unit is a column of a parameter matrix: an output unit of a dense layer's fanIn × fanOut
 * W, and a single entry of a 1 × k bias, slope or normalization scale (the paper's unit-wise
 * norm of a bias is its absolute value). As the paper advises, leave the final classifier out
 * of the parameter list. Column sums are kept in preallocated arrays.
 *
 * <p>Known limitation: unit norms are plain Σx², so a unit with entries beyond about 1e154 would
 * overflow; finiteness is checked on the scaled global norm only.
 */
public final class AdaptiveGradClip {

    /** The ε of the paper (and of its reference code): units with tiny weights may still move by λ·1e-3. */
    public static final double DEFAULT_EPSILON = 1e-3;
    /** Floor on ‖Gᵢ‖ in the divisor, as the reference implementation has. */
    private static final double GRAD_FLOOR = 1e-6;

    private final List<Parameter> params;
    private final double lambda;
    private final double eps;
    private final double[] weightSq;
    private final double[] gradSq;
    private int clippedUnits;

    public AdaptiveGradClip(List<Parameter> params, double lambda, double eps) {
        if (!(lambda > 0 && Double.isFinite(lambda))) throw new IllegalArgumentException("lambda must be finite and > 0, got " + lambda);
        if (!(eps > 0 && Double.isFinite(eps))) throw new IllegalArgumentException("eps must be finite and > 0, got " + eps);
        this.params = List.copyOf(params);
        this.lambda = lambda;
        this.eps = eps;
        int maxCols = 1;
        for (Parameter p : this.params) maxCols = Math.max(maxCols, p.value().numCols);
        this.weightSq = new double[maxCols];
        this.gradSq = new double[maxCols];
    }

    public AdaptiveGradClip(List<Parameter> params, double lambda) {
        this(params, lambda, DEFAULT_EPSILON);
    }

    /**
     * Clips unit by unit and returns the global L2 norm of the gradients before clipping. If it is
     * not finite it is returned as is and no gradient is touched: the caller must not apply them.
     */
    public double clip() {
        double total = Norms.globalGradL2(params);
        clippedUnits = 0;
        if (!Double.isFinite(total)) return total;
        for (int p = 0; p < params.size(); p++) {
            Parameter param = params.get(p);
            double[] w = param.value().data, g = param.grad().data;
            int rows = param.value().numRows, cols = param.value().numCols;
            // ‖Wᵢ‖², ‖Gᵢ‖² per column i
            for (int c = 0; c < cols; c++) {
                weightSq[c] = 0;
                gradSq[c] = 0;
            }
            for (int r = 0, off = 0; r < rows; r++, off += cols) {
                for (int c = 0; c < cols; c++) {
                    weightSq[c] += w[off + c] * w[off + c];
                    gradSq[c] += g[off + c] * g[off + c];
                }
            }
            // sᵢ = λ·max(‖Wᵢ‖, ε) / max(‖Gᵢ‖, 1e-6) where ‖Gᵢ‖ > λ·max(‖Wᵢ‖, ε), else 1; reuse gradSq for sᵢ
            boolean any = false;
            for (int c = 0; c < cols; c++) {
                double maxNorm = lambda * Math.max(Math.sqrt(weightSq[c]), eps);
                double gNorm = Math.sqrt(gradSq[c]);
                if (gNorm > maxNorm) {
                    gradSq[c] = maxNorm / Math.max(gNorm, GRAD_FLOOR);
                    clippedUnits++;
                    any = true;
                } else {
                    gradSq[c] = 1;
                }
            }
            if (!any) continue;
            // Gᵢ = sᵢ·Gᵢ
            for (int r = 0, off = 0; r < rows; r++, off += cols) {
                for (int c = 0; c < cols; c++) g[off + c] *= gradSq[c];
            }
        }
        return total;
    }

    /** Units scaled down by the last {@link #clip()}. */
    public int clippedUnits() {
        return clippedUnits;
    }

    public double lambda() {
        return lambda;
    }
}
