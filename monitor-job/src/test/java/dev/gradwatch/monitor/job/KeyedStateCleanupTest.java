package dev.gradwatch.monitor.job;

import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.detect.LayerSample;
import dev.gradwatch.monitor.policy.ClipPolicyConfig;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every keyed operator forgets a key that has been silent for the idle timeout: its state entries and
 * its timers go to zero, so finished runs do not accumulate.
 */
class KeyedStateCleanupTest {

    private static final long IDLE_MS = 60_000;

    /** Keyed state entries of the operator in a harness (heap backend), over all keys and states. */
    static int entries(AbstractStreamOperatorTestHarness<?> h) {
        return ((HeapKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend()).numKeyValueStateEntries();
    }

    /** A keyed operator with the rules broadcast input, as the job wires it. */
    static <K, IN, OUT> KeyedBroadcastOperatorTestHarness<K, IN, String, OUT> harness(
            KeyedBroadcastProcessFunction<K, IN, String, OUT> fn, KeySelector<IN, K> key, TypeInformation<K> type)
            throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(fn, List.of(LiveRulesState.DESCRIPTOR)), key, type, 1, 1, 0);
    }

    @Test
    void layerWindowsForgetALayerThatFellSilent() throws Exception {
        try (var h = harness(new LayerWindowFunction(DetectorConfig.DEFAULTS, IDLE_MS),
                new LayerKey.OfSample(), LayerKey.TYPE)) {
            h.open();
            h.setProcessingTime(1_000);
            for (StepStats s : StatsFixtures.vanishing("run-1", "w0", 12)) {
                for (var l : s.layers()) {
                    h.processElement(new StreamRecord<>(new LayerSample(s.runId(), s.workerId(), s.step(),
                            s.timestampMs(), s.learningRate(), l)));
                }
            }
            assertEquals(2, h.extractOutputValues().size(), "layers 0 and 1 vanish");
            assertTrue(entries(h) > 0);
            assertEquals(9, h.numProcessingTimeTimers(), "one idle timer per layer");

            h.setProcessingTime(1_000 + IDLE_MS / 2);
            assertTrue(entries(h) > 0, "not idle long enough");
            h.setProcessingTime(1_000 + IDLE_MS + IDLE_MS / 10);
            assertEquals(0, entries(h));
            assertEquals(0, h.numProcessingTimeTimers());
        }
    }

    @Test
    void stepViewAndClipPolicyForgetAWorkerThatFellSilentButNotOneThatKeepsTalking() throws Exception {
        try (var view = harness(new StepViewFunction(DetectorConfig.DEFAULTS, IDLE_MS),
                     new WorkerKey.OfStats(), WorkerKey.TYPE);
             var clip = harness(new ClipPolicyFunction(ClipPolicyConfig.DEFAULTS,
                             DetectorConfig.DEFAULTS, IDLE_MS),
                     new WorkerKey.OfStats(), WorkerKey.TYPE)) {
            view.open();
            clip.open();
            view.setProcessingTime(0);
            clip.setProcessingTime(0);
            List<StepStats> ended = StatsFixtures.exploding("run-ended", "w0", 12, 11);
            List<StepStats> alive = StatsFixtures.healthy("run-alive", "w0", 200);
            for (StepStats s : ended) {
                view.processElement(new StreamRecord<>(s));
                clip.processElement(new StreamRecord<>(s));
            }
            assertTrue(clip.extractOutputValues().size() >= 1, "the exploding run got a command");
            // run-alive publishes a step every 5 s for longer than the idle timeout
            for (int i = 0; i < 30; i++) {
                long now = i * 5_000L;
                view.setProcessingTime(now);
                clip.setProcessingTime(now);
                view.processElement(new StreamRecord<>(alive.get(i)));
                clip.processElement(new StreamRecord<>(alive.get(i)));
            }
            // run-ended is gone: one state entry per operator left (run-alive's step state or clip state),
            // plus its idle timer state
            assertEquals(2, entries(view));
            assertEquals(1, view.numProcessingTimeTimers());
            assertEquals(2, entries(clip));
            assertEquals(1, clip.numProcessingTimeTimers());
        }
    }

    @Test
    void workerDivergenceForgetsARunLayerThatFellSilent() throws Exception {
        try (var h = harness(new WorkerDivergenceFunction(DetectorConfig.DEFAULTS, IDLE_MS),
                new RunLayerKey.OfSample(), RunLayerKey.TYPE)) {
            h.open();
            h.setProcessingTime(1_000);
            List<List<StepStats>> fleet = StatsFixtures.fleet("run-f", 4, 12, 1, 25);
            for (int s = 0; s < 12; s++) {
                for (List<StepStats> worker : fleet) {
                    StepStats x = worker.get(s);
                    for (var l : x.layers()) {
                        h.processElement(new StreamRecord<>(new LayerSample(x.runId(), x.workerId(), x.step(),
                                x.timestampMs(), x.learningRate(), l)));
                    }
                }
            }
            assertEquals(3, h.extractOutputValues().size(), "w1 diverges in each of the 3 layers");
            assertTrue(h.extractOutputValues().stream().allMatch(a -> "w1".equals(a.workerId())));
            assertEquals(3, h.numProcessingTimeTimers(), "one idle timer per (run, layer)");

            h.setProcessingTime(1_000 + IDLE_MS + IDLE_MS / 10);
            assertEquals(0, entries(h));
            assertEquals(0, h.numProcessingTimeTimers());
        }
    }
}
