package dev.gradwatch.trainer.engine;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NormsTest {

    private static DMatrixRMaj row(double... x) {
        return new DMatrixRMaj(1, x.length, true, x);
    }

    @Test
    void euclideanNormOfPlainValues() {
        assertEquals(5.0, Norms.l2(row(3, 4)));
        assertEquals(0.0, Norms.l2(row(0, 0)));
    }

    @Test
    void hugeAndTinyFiniteEntriesNeitherOverflowNorUnderflow() {
        assertEquals(Math.sqrt(2) * 1e200, Norms.l2(row(1e200, -1e200)), 1e186);
        assertEquals(5e-200, Norms.l2(row(3e-200, 4e-200)), 1e-214);
    }

    @Test
    void nonFiniteEntriesGiveNaNOrInfinity() {
        assertEquals(Double.NaN, Norms.l2(row(1, Double.NaN, Double.POSITIVE_INFINITY)));
        assertEquals(Double.POSITIVE_INFINITY, Norms.l2(row(1, Double.NEGATIVE_INFINITY)));
    }

    @Test
    void globalGradientNormTakesEveryParameterTogether() {
        Parameter a = new Parameter("a", 1, 2);
        Parameter b = new Parameter("b", 1, 1);
        a.grad().data[0] = 3;
        a.grad().data[1] = 4;
        b.grad().data[0] = 12;
        assertEquals(13.0, Norms.globalGradL2(List.of(a, b)));
        b.grad().data[0] = 1e300;
        assertEquals(1e300, Norms.globalGradL2(List.of(a, b)), 1e286);
        b.grad().data[0] = Double.NaN;
        assertEquals(Double.NaN, Norms.globalGradL2(List.of(a, b)));
    }
}
