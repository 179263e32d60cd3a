package dev.gradwatch.monitor.policy;

import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.ControlCommand.Type;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The escalation beyond clipping, on crafted series of one worker. */
class ControlPolicyTest {

    private static final long NOW = 1_800_000_000_000L;
    private static final double NAN = Double.NaN;

    private static ControlPolicy policy(EscalationConfig e) {
        return new ControlPolicy(ClipPolicyConfig.DEFAULTS, e, DetectorConfig.DEFAULTS);
    }

    private static StepStats stats(long step, double clipNorm, double... norms) {
        StepStats x = StatsFixtures.step("run-1", "w0", step, 1.0, "dense/relu", norms);
        return new StepStats(x.runId(), x.workerId(), x.step(), x.timestampMs(), x.loss(), x.learningRate(),
                clipNorm, x.layers());
    }

    /** Steps 0..19 calm (norms 1..20), then {@code sick} from step 20 to {@code last}, without a clip in force. */
    private static List<ControlCommand> run(ControlPolicy p, ClipState st, long last, java.util.function.LongFunction<StepStats> sick) {
        List<ControlCommand> out = new ArrayList<>();
        for (long s = 0; s < 20; s++) out.addAll(p.onStats(st, stats(s, Double.POSITIVE_INFINITY, s + 1), NOW));
        assertTrue(out.isEmpty(), "calm history: " + out);
        for (long s = 20; s <= last; s++) out.addAll(p.onStats(st, sick.apply(s), NOW));
        return out;
    }

    private static List<String> ids(List<ControlCommand> cs) {
        return cs.stream().map(ControlCommand::commandId).toList();
    }

    private static void assertSeqIncreases(List<ControlCommand> cs) {
        for (int i = 1; i < cs.size(); i++) {
            assertTrue(cs.get(i).seq() > cs.get(i - 1).seq(), "seq of " + cs.get(i) + " after " + cs.get(i - 1));
        }
    }

    @Test
    void scalesTheLearningRateAfterTheThirdClipNormWithinTheSpanWhenClippingDoesNotHold() {
        // the trainer never reports a clip in force and the norm stays over the ceiling: a clip command
        // every cooldown (10 steps), and at the third the learning rate comes down as well
        ClipState st = new ClipState();
        List<ControlCommand> out = run(policy(EscalationConfig.DEFAULTS), st, 45,
                s -> stats(s, Double.POSITIVE_INFINITY, 5000));
        assertEquals(List.of("SET_CLIP_NORM:run-1:w0@20", "SET_CLIP_NORM:run-1:w0@30", "SET_CLIP_NORM:run-1:w0@40",
                "SCALE_LR:run-1:w0@40"), ids(out));
        ControlCommand lr = out.get(3);
        assertEquals(Type.SCALE_LR, lr.type());
        assertEquals(0.5, lr.value());
        assertTrue(lr.reason().startsWith("repeated explosions: the clip norm was set 3 times within 200 steps"
                + " (steps [20, 30, 40])"), lr.reason());
        assertTrue(lr.reason().contains("from 0.0500 to 0.0250"), lr.reason());
        assertEquals(NOW + ClipPolicyConfig.DEFAULTS.commandTtlMs(), lr.expiresAtMs());
        assertSeqIncreases(out);
    }

    @Test
    void clipsSpreadOverMoreThanTheSpanDoNotScaleTheLearningRate() {
        // one explosion every 150 steps: never three within 200 steps
        ClipState st = new ClipState();
        List<ControlCommand> out = run(policy(EscalationConfig.DEFAULTS), st, 620,
                s -> stats(s, Double.POSITIVE_INFINITY, s % 150 == 20 ? 5000 : 10));
        assertEquals(List.of(Type.SET_CLIP_NORM), out.stream().map(ControlCommand::type).distinct().toList(),
                out.toString());
        assertEquals(5, out.size());
    }

    @Test
    void scalesTheLearningRateWhenNonFiniteStepsKeepComingUnderAClipInForce() {
        // the trainer clips at 2.0, yet every other step is NaN: not consecutive, so no stop
        ClipState st = new ClipState();
        List<ControlCommand> out = run(policy(EscalationConfig.DEFAULTS), st, 39,
                s -> stats(s, 2.0, s % 2 == 0 ? NAN : 1.5));
        // the clip policy halves the clip norm at 20 and 30 (cooldown 10); the fifth NaN under the clip is step 28
        assertEquals(List.of("SET_CLIP_NORM:run-1:w0@20", "SCALE_LR:run-1:w0@28", "SET_CLIP_NORM:run-1:w0@30"),
                ids(out));
        assertTrue(out.get(1).reason().startsWith("non-finite gradients despite clipping: 5 non-finite steps within"
                + " 200 steps while a clip norm was in force (steps [20, 22, 24, 26, 28])"), out.get(1).reason());
        assertSeqIncreases(out);
    }

    @Test
    void waitsForTheCooldownBeforeScalingAgainAndStartsCountingAfresh() {
        ClipState st = new ClipState();
        EscalationConfig e = new EscalationConfig(0.5, 0, 2, 200, 50, 0);
        List<ControlCommand> out = run(policy(e), st, 120, s -> stats(s, 2.0, s % 2 == 0 ? NAN : 1.5));
        List<Long> lrSteps = out.stream().filter(c -> c.type() == Type.SCALE_LR)
                .map(c -> Long.parseLong(c.commandId().substring(c.commandId().indexOf('@') + 1))).toList();
        // 22: second NaN under the clip; then not before 72, when the new episode's evidence is 2 NaNs (70, 72)
        assertEquals(List.of(22L, 72L), lrSteps);
    }

    @Test
    void stopsAfterTwentyConsecutiveNonFiniteStepsAndThenSendsNothing() {
        ClipState st = new ClipState();
        List<ControlCommand> out = run(policy(EscalationConfig.DEFAULTS), st, 60, s -> stats(s, Double.POSITIVE_INFINITY, NAN));
        // steps 20..39 are the 20 non-finite steps; clip commands at 20 and 30 came first
        assertEquals(List.of("SET_CLIP_NORM:run-1:w0@20", "SET_CLIP_NORM:run-1:w0@30", "STOP:run-1:w0@39"), ids(out));
        ControlCommand stop = out.get(2);
        assertEquals(Type.STOP, stop.type());
        assertTrue(stop.reason().startsWith("persistent non-finite gradients: 20 consecutive steps (20..39)"),
                stop.reason());
        assertTrue(st.stopped);
        assertSeqIncreases(out);
    }

    @Test
    void aFiniteStepBreaksTheNonFiniteStreak() {
        ClipState st = new ClipState();
        // 19 NaN steps, one finite, 19 NaN steps, and so on: never 20 in a row
        List<ControlCommand> out = run(policy(new EscalationConfig(0.5, 0, 0, 200, 50, 20)), st, 300,
                s -> stats(s, Double.POSITIVE_INFINITY, (s - 20) % 20 == 19 ? 1.0 : NAN));
        assertTrue(out.stream().noneMatch(c -> c.type() == Type.STOP), out.toString());
        assertTrue(out.stream().noneMatch(c -> c.type() == Type.SCALE_LR), "both learning-rate triggers off");
    }

    @Test
    void aHealthyRunGetsNoCommandAtAll() {
        ControlPolicy p = policy(EscalationConfig.DEFAULTS);
        ClipState st = new ClipState();
        for (StepStats s : StatsFixtures.healthy("run-h", "w0", 2000)) assertTrue(p.onStats(st, s, NOW).isEmpty());
    }

    @Test
    void aReplayedOrOutOfOrderStepIsIgnored() {
        ControlPolicy p = policy(EscalationConfig.DEFAULTS);
        ClipState st = new ClipState();
        List<ControlCommand> out = run(p, st, 35, s -> stats(s, Double.POSITIVE_INFINITY, NAN));
        assertEquals(2, out.size());
        assertTrue(p.onStats(st, stats(30, Double.POSITIVE_INFINITY, NAN), NOW).isEmpty());
        assertEquals(16, st.nonFiniteStreak, "the replayed step did not count");
    }

    @Test
    void keepsOnlyTheBoundedNumberOfRecentSteps() {
        assertArrayEquals(new long[] {2, 3, 4}, ControlPolicy.pushBounded(new long[] {1, 2, 3}, 4, 3));
        assertArrayEquals(new long[] {7}, ControlPolicy.pushBounded(new long[0], 7, 3));
        assertArrayEquals(new long[0], ControlPolicy.pushBounded(new long[] {1}, 7, 0));
    }

    @Test
    void settingsOutOfRangeNameTheirKey() {
        var e = assertThrows(IllegalArgumentException.class, () -> new EscalationConfig(1.5, 3, 5, 200, 50, 20));
        assertTrue(e.getMessage().startsWith("lr.scale-factor"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EscalationConfig(0.5, 3, 5, 0, 50, 20));
        assertTrue(e.getMessage().startsWith("lr.within-steps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EscalationConfig(0.5, 3, 5, 200, 50, -1));
        assertTrue(e.getMessage().startsWith("stop.after-non-finite-steps"), e.getMessage());
    }

    @Test
    void everyEscalationThresholdIsAMonitorSettingWithItsDefault() {
        assertEquals(EscalationConfig.DEFAULTS, dev.gradwatch.monitor.MonitorConfig.defaults().escalation());
        var c = dev.gradwatch.monitor.MonitorConfig.fromArgs("--lr.scale-factor", "0.3", "--lr.after-clips", "4",
                "--lr.after-clipped-non-finite", "0", "--lr.within-steps", "100", "--lr.cooldown-steps", "20",
                "--stop.after-non-finite-steps", "0");
        assertEquals(new EscalationConfig(0.3, 4, 0, 100, 20, 0), c.escalation());
        assertEquals(c, dev.gradwatch.monitor.MonitorConfig.fromMap(c.asMap()));
        var e = assertThrows(IllegalArgumentException.class,
                () -> dev.gradwatch.monitor.MonitorConfig.fromArgs("--lr.after-clips", "many"));
        assertTrue(e.getMessage().startsWith("lr.after-clips"), e.getMessage());
    }
}
