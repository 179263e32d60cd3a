package dev.gradwatch.trainer.probe;

import dev.gradwatch.events.GradHistogram;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.nn.Sequential;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The probe's branch-free pass (four accumulator lanes, a remainder loop, counts by exponent bits)
 * against a plain reference computed here, on sizes that are not multiples of four, with zeros,
 * subnormals, huge and tiny values, and the same layer again with a NaN (the second pass).
 */
class GradientProbePassesTest {

    private static void fill(Parameter p, SplittableRandom rng) {
        double[] g = p.grad().data;
        double[] w = p.value().data;
        for (int i = 0; i < p.size(); i++) {
            int kind = rng.nextInt(10);
            g[i] = switch (kind) {
                case 0 -> 0.0;
                case 1 -> -0.0;
                case 2 -> Double.MIN_VALUE * (1 + rng.nextInt(1000)); // subnormal
                case 3 -> Math.scalb(rng.nextDouble() - 0.5, -60);    // below the lowest bucket
                case 4 -> Math.scalb(rng.nextDouble() + 0.5, 40);     // above the highest bucket
                default -> rng.nextGaussian() * 1e-3;
            };
            w[i] = rng.nextGaussian();
        }
    }

    private static void assertRelative(String what, double expected, double actual) {
        assertEquals(expected, actual, 1e-12 * Math.abs(expected), what);
    }

    @Test
    void everyFigureMatchesAPlainReference() {
        SplittableRandom rng = new SplittableRandom(17);
        Parameter w = new Parameter("l.W", 37, 13);
        Parameter b = new Parameter("l.b", 1, 7);
        fill(w, rng);
        fill(b, rng);
        GradientProbe probe = new GradientProbe(new Sequential("net", List.of(new ParameterHolder("l", List.of(w, b)))));
        probe.measureGradients();
        LayerStats s = probe.layer(0);

        double sum = 0, sumSq = 0, sumAbs = 0, max = 0, wSq = 0;
        long zeros = 0;
        long[] hist = new long[GradHistogram.BUCKETS];
        for (Parameter p : List.of(w, b)) {
            for (int i = 0; i < p.size(); i++) {
                double x = p.grad().data[i];
                sum += x;
                sumSq += x * x;
                sumAbs += Math.abs(x);
                max = Math.max(max, Math.abs(x));
                if (x == 0) zeros++;
                hist[GradHistogram.bucketOf(x)]++;
                wSq += p.value().data[i] * p.value().data[i];
            }
        }
        long n = w.size() + b.size();
        assertRelative("gradL2", Math.sqrt(sumSq), s.gradL2());
        assertRelative("gradMeanAbs", sumAbs / n, s.gradMeanAbs());
        assertEquals(max, s.gradMaxAbs(), "max |g| is exact");
        assertRelative("gradStd", Math.sqrt(sumSq / n - (sum / n) * (sum / n)), s.gradStd());
        assertEquals((double) zeros / n, s.zeroFraction(), "±0 are zeros, subnormals are not");
        assertArrayEquals(hist, s.gradHistogram());
        assertRelative("weightL2", Math.sqrt(wSq), s.weightL2());
        assertEquals(0, s.nonFiniteCount());

        // the same layer with one NaN and one −∞: the finite figures come from the second pass
        double g0 = w.grad().data[0];
        double g1 = b.grad().data[6];
        w.grad().data[0] = Double.NaN;
        b.grad().data[6] = Double.NEGATIVE_INFINITY;
        probe.measureGradients();
        LayerStats t = probe.layer(0);
        assertEquals(1L, t.nanCount());
        assertEquals(1L, t.negInfCount());
        assertEquals(Double.NaN, t.gradL2());
        long[] finiteHist = hist.clone();
        finiteHist[GradHistogram.bucketOf(g0)]--;
        finiteHist[GradHistogram.bucketOf(g1)]--;
        assertArrayEquals(finiteHist, t.gradHistogram());
        double finiteSumAbs = sumAbs - Math.abs(g0) - Math.abs(g1);
        assertEquals(finiteSumAbs / (n - 2), t.gradMeanAbs(), 1e-12 * finiteSumAbs / (n - 2));
        assertRelative("weightL2 with NaN gradients", Math.sqrt(wSq), t.weightL2());
    }
}
