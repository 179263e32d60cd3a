package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;

/**
 * The Gaussian error linear unit f(z) = z·Φ(z) (Hendrycks and Gimpel 2016, "Gaussian Error Linear
 * Units (GELUs)", arXiv:1606.08415). By default the exact form z·½(1 + erf(z/√2)), PyTorch's
 * {@code nn.GELU()} default; as a setting the tanh approximation
 * ½z(1 + tanh(√(2/π)(z + 0.044715z³))), PyTorch's {@code approximate='tanh'}.
 *
 * <p>Known limitation: erf is summed from its power series and erfc from its continued fraction
 * (tens of terms each), so the exact form costs several times the tanh form per element.
 */
final class Gelu implements Activation {

    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double K = 0.044715;
    private static final double SQRT_PI = Math.sqrt(Math.PI);

    private final boolean tanhApproximation;

    Gelu(boolean tanhApproximation) {
        this.tanhApproximation = tanhApproximation;
    }

    @Override
    public String name() {
        return tanhApproximation ? "gelu-tanh" : "gelu";
    }

    @Override
    public void forward(DMatrixRMaj Z, DMatrixRMaj A) {
        double[] z = Z.data, a = A.data;
        int n = Z.getNumElements();
        if (tanhApproximation) {
            // A = ½Z(1 + tanh(√(2/π)(Z + 0.044715Z³)))
            for (int i = 0; i < n; i++) {
                double x = z[i];
                a[i] = 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + K * x * x * x)));
            }
        } else {
            // A = Z·Φ(Z)
            for (int i = 0; i < n; i++) a[i] = z[i] * phi(z[i]);
        }
    }

    @Override
    public void backward(DMatrixRMaj Z, DMatrixRMaj A, DMatrixRMaj dA, DMatrixRMaj dZ) {
        double[] z = Z.data, da = dA.data, dz = dZ.data;
        int n = Z.getNumElements();
        if (tanhApproximation) {
            // u = √(2/π)(z + kz³), t = tanh u;  f′ = ½(1 + t) + ½z(1 − t²)·√(2/π)(1 + 3kz²)
            for (int i = 0; i < n; i++) {
                double x = z[i];
                double t = Math.tanh(SQRT_2_OVER_PI * (x + K * x * x * x));
                double d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * K * x * x);
                dz[i] = da[i] * d;
            }
        } else {
            // f′ = Φ(z) + z·φ(z), φ(z) = e^(−z²/2)/√(2π)
            for (int i = 0; i < n; i++) {
                double x = z[i];
                double d = phi(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
                dz[i] = da[i] * d;
            }
        }
    }

    /**
     * Φ(z) = ½(1 + erf(z/√2)) = ½·erfc(−z/√2), the standard normal distribution function, taken
     * through erfc for z &lt; 0 so that its tiny left tail keeps its relative precision (1 + erf
     * would cancel to a few ulps of 1, and z·Φ(z) would be noise there).
     */
    static double phi(double z) {
        return z >= 0 ? 1 - 0.5 * erfc(z * SQRT_HALF) : 0.5 * erfc(-z * SQRT_HALF);
    }

    /**
     * erfc(x) for x ≥ 0: 1 − erf(x) below 2 (where erfc &gt; 0.004, so little is lost), and above
     * the continued fraction erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …))))
     * (Abramowitz and Stegun 7.1.14) cut at 60 levels, good to 5e-16 relative for every x ≥ 2.
     */
    static double erfc(double x) {
        if (x < 2) return 1 - erf(x);
        double f = x;
        for (int k = 60; k >= 1; k--) f = x + 0.5 * k / f;
        return Math.exp(-x * x) / (SQRT_PI * f);
    }

    /**
     * erf(x) = (2/√π)·e^(−x²)·Σₙ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) (Abramowitz and Stegun 7.1.6): every
     * term is positive, so the sum has no cancellation and is good to a few ulps; for |x| ≥ 6,
     * 1 − |erf x| &lt; 2.2e-17 is below half an ulp of 1.
     */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax >= 6) return Math.copySign(1, x);
        if (x != x) return x;
        double x2 = ax * ax;
        double term = ax, sum = ax;
        for (int k = 1; term > 1e-17 * sum; k++) {
            term *= 2 * x2 / (2 * k + 1);
            sum += term;
        }
        return Math.copySign(TWO_OVER_SQRT_PI * Math.exp(-x2) * sum, x);
    }
}
