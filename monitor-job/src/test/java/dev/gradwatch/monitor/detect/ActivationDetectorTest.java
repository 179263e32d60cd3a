package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.Alert;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationDetectorTest {

    private static final Subject RELU = new Subject("run-1", "w0", 2, "dense2", "dense/relu");
    private static final Subject TANH = new Subject("run-1", "w0", 2, "dense2", "dense/tanh");

    @Test
    void firesDeadReluWhenOverHalfTheUnitsAreDeadAtEveryMeasuredStep() {
        Series dead = Series.of(10, 0.6, 0.62, 0.7, Double.NaN, 0.65, 0.66, 0.7, 0.71, 0.7, 0.72);
        Finding f = ActivationDetector.deadRelu(RELU, dead, 0.5, 5, 0.1).orElseThrow();
        assertEquals(Rules.DEAD_RELU, f.rule());
        assertEquals(19, f.step());
        assertEquals(0.6, f.evidence().get("minDeadFraction"));
        assertEquals(9.0, f.evidence().get("samples"), "the step without the field is left out");
        assertTrue(f.remedy().startsWith("72.0% of the units"), f.remedy());
        assertTrue(f.remedy().contains("(now 0.100)"), f.remedy());
    }

    @Test
    void staysQuietWhenOneStepIsUnderTheThresholdOrTheFieldIsMissing() {
        assertTrue(ActivationDetector.deadRelu(RELU, Series.of(0, 0.6, 0.6, 0.4, 0.6, 0.6), 0.5, 3, 0.1).isEmpty());
        double[] absent = new double[10];
        java.util.Arrays.fill(absent, Double.NaN);
        assertTrue(ActivationDetector.deadRelu(RELU, Series.of(0, absent), 0.5, 5, 0.1).isEmpty());
        // two measured steps out of ten are not enough to judge a window
        absent[3] = 0.9;
        absent[7] = 0.9;
        assertTrue(ActivationDetector.deadRelu(RELU, Series.of(0, absent), 0.5, 5, 0.1).isEmpty());
    }

    @Test
    void firesSaturationNamingTheActivation() {
        Finding f = ActivationDetector.saturation(TANH, Series.of(0, 0.8, 0.85, 0.9, 0.9, 0.95), 0.5, 3, 0.15)
                .orElseThrow();
        assertEquals(Rules.ACTIVATION_SATURATION, f.rule());
        assertTrue(f.remedy().contains("tanh units"), f.remedy());
        assertTrue(f.remedy().contains("Glorot"), f.remedy());
        assertTrue(ActivationDetector.saturation(TANH, Series.of(0, 0.3, 0.2, 0.4), 0.5, 3, 0.15).isEmpty());
    }

    private static List<Alert> feed(LayerMonitor m, LayerState st, int from, int to, IntFunction<Double> dead,
                                    IntFunction<Double> saturated) {
        List<Alert> out = new ArrayList<>();
        for (int s = from; s < to; s++) {
            out.addAll(m.onSample(st, new LayerSample("run-1", "w0", s, s, 0.1,
                    StatsFixtures.layer(2, "dense/relu", 0.5, 1e-3, dead.apply(s), saturated.apply(s)))).alerts());
        }
        return out;
    }

    @Test
    void theLayerMonitorFiresDeadReluOnAWholeWindowAndResolvesOnceUnitsRevive() {
        LayerMonitor m = new LayerMonitor(DetectorConfig.DEFAULTS);
        LayerState st = new LayerState();
        List<Alert> alerts = feed(m, st, 0, 30, s -> 0.8, s -> null);
        assertEquals(List.of(Rules.DEAD_RELU), alerts.stream().map(Alert::rule).toList());
        assertEquals(9, alerts.get(0).step());
        assertEquals("dead_relu:run-1:w0:2", alerts.get(0).fingerprint());
        List<Alert> later = feed(m, st, 30, 50, s -> 0.1, s -> null);
        assertEquals(List.of(Alert.RESOLVED), later.stream().map(Alert::status).toList());
        assertEquals(39, later.get(0).step());
        // flap damping: the resolution is remembered for flap.within-windows judged windows, then forgotten
        assertEquals(1, st.latches.size());
        assertTrue(feed(m, st, 50, 100, s -> 0.1, s -> null).isEmpty());
        assertTrue(st.latches.isEmpty());
    }

    @Test
    void theLayerMonitorRaisesNothingFromFractionsATrainerDoesNotMeasure() {
        LayerMonitor m = new LayerMonitor(DetectorConfig.DEFAULTS);
        LayerState st = new LayerState();
        assertTrue(feed(m, st, 0, 60, s -> null, s -> null).isEmpty());
        assertTrue(feed(m, new LayerState(), 0, 60, s -> 0.02, s -> 0.3).isEmpty());
        List<Alert> sat = feed(m, new LayerState(), 0, 12, s -> null, s -> 0.9);
        assertEquals(List.of(Rules.ACTIVATION_SATURATION), sat.stream().map(Alert::rule).toList());
    }
}
