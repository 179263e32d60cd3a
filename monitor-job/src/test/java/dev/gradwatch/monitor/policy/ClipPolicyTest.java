package dev.gradwatch.monitor.policy;

import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipPolicyTest {

    private static final long NOW = 1_800_000_000_000L;
    private final ClipPolicy policy = new ClipPolicy(ClipPolicyConfig.DEFAULTS, DetectorConfig.DEFAULTS);

    private static StepStats stats(long step, double... norms) {
        return StatsFixtures.step("run-1", "w0", step, 1.0, "dense/relu", norms);
    }

    private static StepStats withClip(StepStats x, double clipNorm) {
        return new StepStats(x.runId(), x.workerId(), x.step(), x.timestampMs(), x.loss(), x.learningRate(),
                clipNorm, x.layers());
    }

    /** Global norms 1..20 (one layer each), commands for none of them. */
    private ClipState calmHistory() {
        ClipState st = new ClipState();
        for (int s = 0; s < 20; s++) assertTrue(policy.onStats(st, stats(s, s + 1), NOW).isEmpty(), "step " + s);
        return st;
    }

    private List<ControlCommand> feed(ClipState st, List<StepStats> steps) {
        List<ControlCommand> out = new ArrayList<>();
        for (StepStats s : steps) policy.onStats(st, s, NOW).ifPresent(out::add);
        return out;
    }

    @Test
    void globalNormIsTheRootOfTheSumOfSquaredLayerNorms() {
        assertEquals(5.0, stats(0, 3, 4).globalGradL2(), 1e-12);
        assertTrue(Double.isNaN(stats(0, 3, Double.NaN).globalGradL2()));
        assertTrue(Double.isNaN(stats(0).globalGradL2()), "a step without layers has no norm");
    }

    @Test
    void percentileInterpolatesLikeNumpy() {
        // numpy.percentile(range(1, 11), 10) == 1.9
        assertEquals(1.9, ClipPolicy.percentile(new double[] {10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 10), 1e-12);
        assertEquals(7.0, ClipPolicy.percentile(new double[] {7}, 10));
    }

    @Test
    void setsTheClipNormToTheTenthPercentileOfRecentGlobalNormsWhenALayerCrossesTheCeiling() {
        ClipState st = calmHistory();
        ControlCommand c = policy.onStats(st, stats(20, 3000), NOW).orElseThrow();
        assertEquals(ControlCommand.Type.SET_CLIP_NORM, c.type());
        // norms 1..20 and 3000; only the 20 under the ceiling are history: p10 = 1 + 0.1·19 = 2.9
        assertEquals(2.9, c.value(), 1e-9);
        assertEquals("SET_CLIP_NORM:run-1:w0@20", c.commandId());
        assertEquals("run-1", c.runId());
        assertEquals("w0", c.workerId());
        assertEquals(NOW, c.issuedAtMs());
        assertEquals(NOW + 60_000, c.expiresAtMs());
        assertNull(c.keyId());
        assertNull(c.signature());
        assertTrue(c.reason().startsWith("exploding_gradient at step 20: clip norm 2.90 (p10 of 20 recent global norms)"),
                c.reason());
        assertTrue(c.seq() >= 20);
    }

    @Test
    void actsAtOnceOnANonFiniteGradientUsingOnlyTheFiniteNorms() {
        ClipState st = calmHistory();
        ControlCommand c = policy.onStats(st, stats(20, 1.0, Double.NaN), NOW).orElseThrow();
        assertTrue(c.reason().startsWith("non_finite_gradient at step 20"), c.reason());
        assertEquals(ClipPolicy.percentile(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
                18, 19, 20}, 10), c.value(), 1e-9);
    }

    @Test
    void actsOnGlobalNormGrowthAtTheEndOfAWindowBeforeAnyLayerCrossesTheCeiling() {
        List<ControlCommand> commands = feed(new ClipState(), StatsFixtures.exploding("run-1", "w0", 10, -1));
        assertEquals(1, commands.size());
        assertEquals("SET_CLIP_NORM:run-1:w0@9", commands.get(0).commandId());
        assertTrue(commands.get(0).reason().startsWith("exploding_gradient_growth"), commands.get(0).reason());
    }

    @Test
    void halvesTheClipNormOnARepeatedExplosionAfterTheCooldownAndIsQuietWithinIt() {
        ClipState st = calmHistory();
        ControlCommand first = policy.onStats(st, stats(20, 3000), NOW).orElseThrow();
        List<ControlCommand> later = new ArrayList<>();
        for (int s = 21; s < 40; s++) policy.onStats(st, stats(s, 4000), NOW).ifPresent(later::add);
        // every step from 21 is over the ceiling; the cooldown of 10 steps lets one more command through at 30
        assertEquals(1, later.size(), later.toString());
        ControlCommand second = later.get(0);
        assertEquals("SET_CLIP_NORM:run-1:w0@30", second.commandId());
        assertEquals(first.value() / 2, second.value(), 1e-12);
        assertTrue(second.seq() > first.seq());
        assertTrue(second.reason().contains("halved"), second.reason());
    }

    @Test
    void neverProposesMoreThanTheCeilingOrLessThanTheMinimum() {
        // the only norm known is the exploding one itself: no healthy history, so the fallback
        assertEquals(ClipPolicyConfig.DEFAULTS.fallbackNorm(),
                policy.onStats(new ClipState(), stats(0, 5000), NOW).orElseThrow().value());

        ClipState tiny = new ClipState();
        for (int s = 0; s < 19; s++) policy.onStats(tiny, stats(s, 1e-6), NOW);
        assertEquals(1e-3, policy.onStats(tiny, stats(19, 1e-6, Double.NaN), NOW).orElseThrow().value());
    }

    @Test
    void tightensRatherThanLoosensTheClipNormInForceWhenGradientsTurnNonFinite() {
        ClipState st = new ClipState();
        for (int s = 0; s < 19; s++) policy.onStats(st, withClip(stats(s, 10 + s), 4.0), NOW);
        assertEquals(2.0, policy.onStats(st, withClip(stats(19, 1.0, Double.NaN), 4.0), NOW).orElseThrow().value(),
                1e-12);
    }

    @Test
    void leavesAClipInForceAloneWhileItAbsorbsLargeRawNorms() {
        ClipState st = new ClipState();
        for (int s = 0; s < 19; s++) policy.onStats(st, withClip(stats(s, 10 + s), 4.0), NOW);
        for (int s = 19; s < 60; s++) {
            assertEquals(Optional.empty(), policy.onStats(st, withClip(stats(s, 2000 * s), 4.0), NOW), "step " + s);
        }
    }

    @Test
    void staysQuietOnAHealthyRun() {
        assertTrue(feed(new ClipState(), StatsFixtures.healthy("run-1", "w0", 100)).isEmpty());
    }

    @Test
    void replayingTheSameStatisticsIssuesTheSameCommands() {
        List<StepStats> steps = StatsFixtures.exploding("run-1", "w0", 40, 25);
        List<String> first = feed(new ClipState(), steps).stream().map(c -> c.commandId() + "=" + c.value()).toList();
        List<String> again = feed(new ClipState(), steps).stream().map(c -> c.commandId() + "=" + c.value()).toList();
        assertEquals(List.of("SET_CLIP_NORM:run-1:w0@9", "SET_CLIP_NORM:run-1:w0@19", "SET_CLIP_NORM:run-1:w0@29",
                "SET_CLIP_NORM:run-1:w0@39"), first.stream().map(s -> s.substring(0, s.indexOf('='))).toList());
        assertEquals(first, again);
    }

    @Test
    void dropsAStepItHasAlreadySeen() {
        ClipState st = calmHistory();
        assertEquals(Optional.empty(), policy.onStats(st, stats(5, 3000), NOW));
    }
}
