package dev.gradwatch.monitor.policy;

import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.Severity;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.Finding;
import dev.gradwatch.monitor.detect.Rules;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipPolicyTest {

    private static final long NOW = 1_800_000_000_000L;
    private final ClipPolicy policy = new ClipPolicy(ClipPolicyConfig.DEFAULTS, 1e3);

    private static StepStats stats(long step, double... norms) {
        return StatsFixtures.step("run-1", "w0", step, 1.0, "dense/relu", norms);
    }

    private static Finding explosion(long step) {
        return new Finding(Rules.EXPLODING_GRADIENT, Severity.CRITICAL, "run-1", "w0", 2, "dense2", step,
                "norm over the ceiling", Map.of(), "");
    }

    /** Global norms 1..20 (one layer each), then an explosion at step 20. */
    private ClipState history() {
        ClipState st = new ClipState();
        for (int s = 0; s < 20; s++) policy.onStats(st, stats(s, s + 1), NOW);
        policy.onStats(st, stats(20, 3000), NOW);
        return st;
    }

    @Test
    void globalNormIsTheRootOfTheSumOfSquaredLayerNorms() {
        assertEquals(5.0, ClipPolicy.globalNorm(stats(0, 3, 4)), 1e-12);
        assertTrue(Double.isNaN(ClipPolicy.globalNorm(stats(0, 3, Double.NaN))));
    }

    @Test
    void percentileInterpolatesLikeNumpy() {
        // numpy.percentile(range(1, 11), 10) == 1.9
        assertEquals(1.9, ClipPolicy.percentile(new double[] {10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 10), 1e-12);
        assertEquals(7.0, ClipPolicy.percentile(new double[] {7}, 10));
    }

    @Test
    void setsTheClipNormToTheTenthPercentileOfRecentGlobalNorms() {
        ClipState st = history();
        ControlCommand c = policy.onEvidence(st, explosion(20), NOW).orElseThrow();
        assertEquals(ControlCommand.Type.SET_CLIP_NORM, c.type());
        // norms 1..20 and 3000 -> p10 of 21 values = 3.0
        assertEquals(3.0, c.value(), 1e-9);
        assertEquals("SET_CLIP_NORM:run-1:w0@20", c.commandId());
        assertEquals("w0", c.workerId());
        assertEquals(NOW, c.issuedAtMs());
        assertEquals(NOW + 60_000, c.expiresAtMs());
        assertNull(c.keyId());
        assertNull(c.signature());
        assertTrue(c.reason().contains("exploding_gradient at step 20"), c.reason());
        assertTrue(c.seq() > 0);
    }

    @Test
    void halvesTheClipNormOnARepeatedExplosionAfterTheCooldown() {
        ClipState st = history();
        ControlCommand first = policy.onEvidence(st, explosion(20), NOW).orElseThrow();
        for (int s = 21; s < 40; s++) policy.onStats(st, stats(s, 4000), NOW);
        assertTrue(policy.onEvidence(st, explosion(25), NOW).isEmpty(), "within the cooldown");
        ControlCommand second = policy.onEvidence(st, explosion(30), NOW).orElseThrow();
        assertEquals(first.value() / 2, second.value(), 1e-12);
        assertTrue(second.seq() > first.seq());
        assertTrue(second.reason().contains("halved"), second.reason());
    }

    @Test
    void neverProposesMoreThanTheCeilingOrLessThanTheMinimum() {
        ClipState st = new ClipState();
        for (int s = 0; s < 20; s++) policy.onStats(st, stats(s, 5000 + s), NOW);
        assertEquals(1e3, policy.onEvidence(st, explosion(19), NOW).orElseThrow().value());

        ClipState tiny = new ClipState();
        for (int s = 0; s < 20; s++) policy.onStats(tiny, stats(s, 1e-9), NOW);
        assertEquals(1e-3, policy.onEvidence(tiny, explosion(19), NOW).orElseThrow().value());
    }

    @Test
    void tightensRatherThanLoosensTheClipNormInForce() {
        ClipState st = new ClipState();
        for (int s = 0; s < 20; s++) {
            StepStats x = stats(s, 10 + s);
            policy.onStats(st, new StepStats(x.runId(), x.workerId(), x.step(), x.timestampMs(), x.loss(),
                    x.learningRate(), 4.0, x.layers()), NOW);
        }
        assertEquals(2.0, policy.onEvidence(st, explosion(19), NOW).orElseThrow().value(), 1e-12);
    }

    @Test
    void evidenceThatOvertakesItsStatisticsWaitsForThemAndUsesOnlyEarlierNorms() {
        ClipState early = new ClipState();
        for (int s = 0; s < 20; s++) policy.onStats(early, stats(s, s + 1), NOW);
        assertTrue(policy.onEvidence(early, explosion(20), NOW).isEmpty(), "stats of step 20 not seen yet");
        Optional<ControlCommand> c = policy.onStats(early, stats(20, 3000), NOW);
        assertEquals(3.0, c.orElseThrow().value(), 1e-9);
        // later norms do not change a decision about step 20
        ClipState late = history();
        for (int s = 21; s < 30; s++) policy.onStats(late, stats(s, 0.01), NOW);
        assertEquals(3.0, policy.onEvidence(late, explosion(20), NOW).orElseThrow().value(), 1e-9);
    }

    @Test
    void ignoresFindingsThatAreNotExplosions() {
        ClipState st = history();
        Finding vanishing = new Finding(Rules.VANISHING_GRADIENT, Severity.WARNING, "run-1", "w0", 0, "dense0", 20,
                "", Map.of(), "");
        assertTrue(policy.onEvidence(st, vanishing, NOW).isEmpty());
    }
}
