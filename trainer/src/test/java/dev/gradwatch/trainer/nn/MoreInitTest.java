package dev.gradwatch.trainer.nn;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The initializers added to the original four: scale, bound, bias and orthogonality. */
class MoreInitTest {

    private static final int FAN_IN = 200;
    private static final int FAN_OUT = 300;

    private static DMatrixRMaj[] draw(Init init, int fanIn, int fanOut, long seed) {
        DMatrixRMaj W = new DMatrixRMaj(fanIn, fanOut);
        DMatrixRMaj b = new DMatrixRMaj(1, fanOut);
        b.fill(7); // must be overwritten
        init.initialize(W, b, fanIn, fanOut, new SplittableRandom(seed));
        return new DMatrixRMaj[]{W, b};
    }

    private static double std(DMatrixRMaj M) {
        double s = 0, s2 = 0;
        for (double w : M.data) {
            s += w;
            s2 += w * w;
        }
        int n = M.data.length;
        return Math.sqrt(s2 / n - (s / n) * (s / n));
    }

    private static double maxAbs(DMatrixRMaj M) {
        double m = 0;
        for (double x : M.data) m = Math.max(m, Math.abs(x));
        return m;
    }

    /** spec, expected standard deviation, expected bound (0 for a normal distribution). */
    @ParameterizedTest
    @CsvSource({
        "uniform:0.3,    0.17320508075688773, 0.3",
        "xavier-normal,  0.06324555320336758, 0",
        "he-uniform,     0.1,                 0.17320508075688773",
        "lecun-normal,   0.07071067811865475, 0",
        "lecun-uniform,  0.07071067811865475, 0.12247448713915890",
    })
    void drawsWithTheScaleOfItsPaperAndZeroBias(String spec, double sigma, double bound) {
        // uniform(±a): σ = a/√3; Xavier normal: √(2/500); He uniform: bound √(6/200), σ √(2/200);
        // LeCun: σ √(1/200), uniform bound √(3/200)
        DMatrixRMaj[] d = draw(Init.parse(spec), FAN_IN, FAN_OUT, 9);
        assertEquals(sigma, std(d[0]), 0.02 * sigma, spec + " σ");
        if (bound > 0) assertTrue(maxAbs(d[0]) <= bound && maxAbs(d[0]) > 0.99 * bound, spec + " bound");
        assertEquals(0.0, maxAbs(d[1]), spec + " bias");
        assertEquals(spec, Init.parse(spec).spec());
    }

    @ParameterizedTest
    @CsvSource({"300, 200", "200, 300", "64, 64"})
    void orthogonalHasOrthonormalColumnsOrRowsTimesTheGain(int fanIn, int fanOut) {
        double gain = 1.5;
        DMatrixRMaj[] d = draw(new Init.Orthogonal(gain), fanIn, fanOut, 4);
        DMatrixRMaj W = d[0];
        // WᵀW = gain²·I when W is tall, WWᵀ = gain²·I when it is wide
        int k = Math.min(fanIn, fanOut);
        DMatrixRMaj G = new DMatrixRMaj(k, k);
        if (fanIn >= fanOut) CommonOps_DDRM.multTransA(W, W, G);
        else CommonOps_DDRM.multTransB(W, W, G);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) assertEquals(i == j ? gain * gain : 0, G.get(i, j), 1e-12);
        }
        assertEquals(0.0, maxAbs(d[1]));
        DMatrixRMaj again = draw(new Init.Orthogonal(gain), fanIn, fanOut, 4)[0];
        assertArrayEquals(W.data, again.data, "a seed gives the same matrix");
    }

    @Test
    void orthogonalIsNotBiasedTowardsAPositiveDiagonal() {
        // without the sign correction Householder QR returns a Q whose diagonal leans one way
        int positive = 0, n = 0;
        for (long seed = 0; seed < 20; seed++) {
            DMatrixRMaj W = draw(Init.parse("orthogonal"), 8, 8, seed)[0];
            for (int i = 0; i < 8; i++, n++) if (W.get(i, i) > 0) positive++;
        }
        assertEquals(0.5, positive / (double) n, 0.15);
    }

    @Test
    void everySpecRoundTripsAndBadOnesNameTheChoices() {
        for (String spec : new String[]{"uniform:0.1", "xavier-normal", "he-uniform", "lecun-normal", "lecun-uniform",
            "orthogonal", "orthogonal:2.0"}) {
            assertEquals(spec, Init.parse(spec).spec());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.parse("glorot"));
        assertTrue(e.getMessage().contains("lecun-normal") && e.getMessage().contains("orthogonal:<gain>"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Init.parse("uniform:-1"));
        assertThrows(IllegalArgumentException.class, () -> Init.parse("orthogonal:x"));
    }

    @Test
    void denseLayersAcceptEveryInitializer() {
        SplittableRandom rng = new SplittableRandom(3);
        for (String spec : new String[]{"uniform:0.1", "xavier-normal", "he-uniform", "lecun-normal", "orthogonal"}) {
            Dense d = new Dense("d", 5, 3, Activation.TANH, Init.parse(spec), rng);
            assertTrue(maxAbs(d.weights().value()) > 0, spec);
        }
    }
}
