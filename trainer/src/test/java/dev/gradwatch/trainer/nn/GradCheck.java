package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Central finite differences in double precision: the independent oracle for every backward pass. */
public final class GradCheck {

    /** Step h: truncation error ~h² and rounding error ~ε/h are both near 1e-10 here. */
    public static final double H = 1e-5;
    public static final double MAX_RELATIVE_ERROR = 1e-6;

    private GradCheck() {
    }

    /** ∂f/∂M by (f(M + h·eᵢ) − f(M − h·eᵢ)) / 2h for every entry, perturbing M in place and restoring it. */
    public static DMatrixRMaj numeric(DMatrixRMaj M, DoubleSupplier f) {
        DMatrixRMaj out = new DMatrixRMaj(M.numRows, M.numCols);
        for (int i = 0; i < M.getNumElements(); i++) {
            double old = M.data[i];
            M.data[i] = old + H;
            double plus = f.getAsDouble();
            M.data[i] = old - H;
            double minus = f.getAsDouble();
            M.data[i] = old;
            out.data[i] = (plus - minus) / (2 * H);
        }
        return out;
    }

    /** ‖a − n‖ / max(‖a‖, ‖n‖). */
    public static double relativeError(DMatrixRMaj analytic, DMatrixRMaj numeric) {
        double diff = 0, a = 0, n = 0;
        for (int i = 0; i < analytic.getNumElements(); i++) {
            double d = analytic.data[i] - numeric.data[i];
            diff += d * d;
            a += analytic.data[i] * analytic.data[i];
            n += numeric.data[i] * numeric.data[i];
        }
        double scale = Math.max(Math.sqrt(a), Math.sqrt(n));
        return scale == 0 ? 0 : Math.sqrt(diff) / scale;
    }

    /**
     * Rounding error of one central difference for a loss of order 1: about ε·|L|/h ≈ 2e-11; entries
     * smaller than this floor cannot be checked relatively.
     */
    public static final double ABSOLUTE_FLOOR = 1e-10;

    /**
     * Asserts relative error under 1e-6 for the whole tensor, and for every entry up to the
     * {@link #ABSOLUTE_FLOOR} of the differences themselves.
     */
    public static void assertMatches(String what, DMatrixRMaj analytic, DMatrixRMaj numeric) {
        assertTrue(analytic.numRows == numeric.numRows && analytic.numCols == numeric.numCols, what + ": shape");
        double err = relativeError(analytic, numeric);
        assertTrue(err < MAX_RELATIVE_ERROR, what + ": relative error " + err);
        double largest = 0;
        for (double x : numeric.data) largest = Math.max(largest, Math.abs(x));
        assertTrue(largest > 1e3 * ABSOLUTE_FLOOR, what + ": numeric gradient is too small for the check to mean anything");
        for (int i = 0; i < analytic.getNumElements(); i++) {
            double a = analytic.data[i], n = numeric.data[i];
            double tol = MAX_RELATIVE_ERROR * Math.max(Math.abs(a), Math.abs(n)) + ABSOLUTE_FLOOR;
            assertTrue(Math.abs(a - n) <= tol, what + "[" + i + "]: analytic " + a + " vs numeric " + n);
        }
    }

    /** Σ R ⊙ A: a scalar whose gradient with respect to A is exactly R. */
    public static double weightedSum(DMatrixRMaj A, DMatrixRMaj R) {
        double s = 0;
        for (int i = 0; i < A.getNumElements(); i++) s += A.data[i] * R.data[i];
        return s;
    }

    public static DMatrixRMaj gaussian(int rows, int cols, double sigma, SplittableRandom rng) {
        DMatrixRMaj M = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < M.data.length; i++) M.data[i] = sigma * rng.nextGaussian();
        return M;
    }

    /** Fails if an entry sits within {@code margin} of a kink (ReLU at 0), where differences lie. */
    public static void assertAwayFromZero(String what, DMatrixRMaj Z, double margin) {
        for (double z : Z.data) assertTrue(Math.abs(z) > margin, what + ": entry " + z + " too close to the kink");
    }
}
