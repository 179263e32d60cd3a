package dev.gradwatch.trainer.engine;

import org.ejml.data.DMatrixRMaj;

import java.util.List;

/**
 * Euclidean norms that neither overflow nor underflow on finite entries: a plain Σx² pass, and
 * only when that sum leaves the safe range a second pass scaled by max |x| (as LAPACK's dnrm2
 * does in one pass). A NaN entry gives NaN, an infinite one +Inf.
 */
public final class Norms {

    /** Below this a plain Σx² may have lost entries to underflow. */
    public static final double SAFE_MIN_SUM = 0x1p-900;

    private Norms() {
    }

    /** ‖M‖₂ over all entries of M (the Frobenius norm). */
    public static double l2(DMatrixRMaj M) {
        return l2(M.data, M.getNumElements());
    }

    /** ‖d‖₂ of the first n entries. */
    public static double l2(double[] d, int n) {
        double s = sumOfSquares(d, n);
        if (Double.isFinite(s) && s >= SAFE_MIN_SUM) return Math.sqrt(s);
        double scale = maxAbsOrNonFinite(d, n);
        if (!Double.isFinite(scale) || scale == 0) return scale;
        // ‖d‖ = scale · √Σ(x/scale)²
        double t = 0;
        for (int i = 0; i < n; i++) {
            double x = d[i] / scale;
            t += x * x;
        }
        return scale * Math.sqrt(t);
    }

    /** √(Σ‖Mᵢ‖²) over the gradients of the given parameters: the global norm clipping uses. */
    public static double globalGradL2(List<Parameter> params) {
        double s = 0;
        for (int i = 0; i < params.size(); i++) {
            DMatrixRMaj g = params.get(i).grad();
            s += sumOfSquares(g.data, g.getNumElements());
        }
        if (Double.isFinite(s) && (s >= SAFE_MIN_SUM)) return Math.sqrt(s);
        return scaledGlobalGradL2(params);
    }

    /**
     * Σx² of the first n entries, plainly summed in four independent chains (entries i mod 4),
     * so that the additions do not each wait for the one before. The order is fixed, so the sum is
     * reproducible.
     */
    public static double sumOfSquares(double[] d, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int n4 = n & ~3;
        for (int i = 0; i < n4; i += 4) {
            s0 += d[i] * d[i];
            s1 += d[i + 1] * d[i + 1];
            s2 += d[i + 2] * d[i + 2];
            s3 += d[i + 3] * d[i + 3];
        }
        for (int i = n4; i < n; i++) s0 += d[i] * d[i];
        return (s0 + s1) + (s2 + s3);
    }

    /** max |x|, or NaN if any entry is NaN, or +Inf if any entry is infinite. */
    static double maxAbsOrNonFinite(double[] d, int n) {
        double m = 0;
        boolean inf = false;
        for (int i = 0; i < n; i++) {
            double x = d[i];
            if (Double.isNaN(x)) return Double.NaN;
            if (Double.isInfinite(x)) inf = true;
            else m = Math.max(m, Math.abs(x));
        }
        return inf ? Double.POSITIVE_INFINITY : m;
    }

    private static double scaledGlobalGradL2(List<Parameter> params) {
        double scale = 0;
        boolean inf = false;
        for (int i = 0; i < params.size(); i++) {
            DMatrixRMaj g = params.get(i).grad();
            double m = maxAbsOrNonFinite(g.data, g.getNumElements());
            if (Double.isNaN(m)) return Double.NaN;
            if (Double.isInfinite(m)) inf = true;
            else scale = Math.max(scale, m);
        }
        if (inf) return Double.POSITIVE_INFINITY;
        if (scale == 0) return 0;
        double s = 0;
        for (int i = 0; i < params.size(); i++) {
            DMatrixRMaj g = params.get(i).grad();
            double[] d = g.data;
            for (int j = 0, n = g.getNumElements(); j < n; j++) {
                double x = d[j] / scale;
                s += x * x;
            }
        }
        return scale * Math.sqrt(s);
    }
}
