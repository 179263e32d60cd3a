package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.Alert;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpdateRatioDetectorTest {

    private static final Subject LAYER = new Subject("run-1", "w0", 1, "dense1", "dense/relu");
    private static final double MIN = DetectorConfig.DEFAULTS.updateRatioMinLog10();
    private static final double MAX = DetectorConfig.DEFAULTS.updateRatioMaxLog10();

    @Test
    void firesWhenUpdatesAreAsLargeAsTheWeightsAndSaysByHowMuchToLowerTheRate() {
        Series r = Series.of(0, 3, 5, 2, 8, 4, 6, 0.5, 3, 4, 5);
        Finding f = UpdateRatioDetector.outOfBand(LAYER, r, MIN, MAX, 5, 0.15).orElseThrow();
        assertEquals(Rules.UPDATE_RATIO_OUT_OF_BAND, f.rule());
        assertEquals(Math.log10(4), f.evidence().get("medianLog10UpdateRatio"), 1e-12);
        // 10^(0.602 + 3) ≈ 4000
        assertTrue(f.remedy().contains("lower the learning rate (now 0.150) by about 4.00e+03x"), f.remedy());
    }

    @Test
    void firesWhenALayerBarelyMovesAndLeavesOutStepsThatAppliedNoUpdate() {
        Series r = Series.of(0, 1e-9, 0, 2e-9, 1e-9, 0, 3e-9, 1e-9, 0, 1e-9, 2e-9);
        Finding f = UpdateRatioDetector.outOfBand(LAYER, r, MIN, MAX, 5, 0.01).orElseThrow();
        assertEquals(7.0, f.evidence().get("samples"));
        assertTrue(f.summary().contains("below the band"), f.summary());
        assertTrue(f.remedy().contains("raise the learning rate"), f.remedy());
    }

    @Test
    void staysQuietInTheBandAndWhenNoUpdateWasApplied() {
        assertTrue(UpdateRatioDetector.outOfBand(LAYER, Series.of(0, 1e-3, 2e-3, 5e-2, 1e-4, 1e-3), MIN, MAX, 3, 0.01)
                .isEmpty());
        assertTrue(UpdateRatioDetector.outOfBand(LAYER, Series.of(0, 0, 0, 0, 0, 0), MIN, MAX, 3, 0.01).isEmpty());
        // one wild step does not move the median
        assertTrue(UpdateRatioDetector.outOfBand(LAYER, Series.of(0, 1e-3, 1e-3, 50, 1e-3, 1e-3), MIN, MAX, 3, 0.01)
                .isEmpty());
    }

    @Test
    void theLayerMonitorFiresOnAWholeWindowAndResolvesWhenTheRateComesDown() {
        LayerMonitor m = new LayerMonitor(DetectorConfig.DEFAULTS);
        LayerState st = new LayerState();
        List<Alert> alerts = new ArrayList<>();
        for (int s = 0; s < 40; s++) {
            double ratio = s < 20 ? 3.0 : 1e-3;
            alerts.addAll(m.onSample(st, new LayerSample("run-1", "w0", s, s, 0.15,
                    StatsFixtures.layer(1, "dense/relu", 0.5, ratio, null, null))).alerts());
        }
        assertEquals(List.of(Alert.FIRING, Alert.RESOLVED), alerts.stream().map(Alert::status).toList(), alerts.toString());
        assertEquals(9, alerts.get(0).step(), "the partial window 0-4 is not judged");
        // window 15-24 is half 3 and half 1e-3, a median of 10^-1.26: in the band, as is 20-29
        assertEquals(29, alerts.get(1).step());
    }
}
