package dev.gradwatch.monitor.job;

import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DetectorConfig;
import dev.gradwatch.monitor.ingest.StatsEnvelope;
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
    void theWorkerViewForgetsAWorkerThatFellSilentAndALayerThatVanishedFromItsSteps() throws Exception {
        try (var h = harness(new WorkerViewFunction(DetectorConfig.DEFAULTS, IDLE_MS),
                new WorkerKey.OfEnvelope(), WorkerKey.TYPE)) {
            h.open();
            h.setProcessingTime(1_000);
            List<StepStats> steps = StatsFixtures.vanishing("run-1", "w0", 12);
            for (StepStats s : steps) h.processElement(new StreamRecord<>(StatsEnvelope.decoded(s)));
            assertEquals(2, h.extractOutputValues().stream()
                    .filter(a -> a.rule().equals(dev.gradwatch.monitor.detect.Rules.VANISHING_GRADIENT)).count(),
                    "layers 0 and 1 vanish");
            int layers = steps.get(0).layers().size();
            assertEquals(layers, stateOf(h, "run-1", "w0").layers.size());
            assertEquals(1, h.numProcessingTimeTimers(), "one idle timer per worker");

            // the worker goes on without its last layer, and keeps talking (its own idle timer moves on):
            // that layer alone is forgotten once silent for the timeout
            StepStats last = steps.get(11);
            for (long[] at : new long[][] {{1_000 + IDLE_MS / 2, 12}, {1_000 + IDLE_MS + IDLE_MS / 10, 13}}) {
                h.setProcessingTime(at[0]);
                h.processElement(new StreamRecord<>(StatsEnvelope.decoded(new StepStats(last.runId(), last.workerId(),
                        at[1], last.timestampMs() + at[1], last.loss(), last.learningRate(), last.clipNorm(),
                        last.layers().subList(0, layers - 1)))));
            }
            assertEquals(layers - 1, stateOf(h, "run-1", "w0").layers.size());

            h.setProcessingTime(1_000 + 3 * IDLE_MS);
            assertEquals(0, entries(h));
            assertEquals(0, h.numProcessingTimeTimers());
        }
    }

    private static WorkerViewState stateOf(AbstractStreamOperatorTestHarness<?> h, String run, String worker)
            throws Exception {
        h.getOperator().setCurrentKey(new WorkerKey(run, worker));
        return h.getOperator().getKeyedStateBackend().getPartitionedState(
                org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE,
                new org.apache.flink.api.common.state.ValueStateDescriptor<>("worker-view-state",
                        TypeInformation.of(WorkerViewState.class))).value();
    }

    @Test
    void theWorkerViewAndItsPolicyForgetAWorkerThatFellSilentButNotOneThatKeepsTalking() throws Exception {
        try (var view = harness(new WorkerViewFunction(DetectorConfig.DEFAULTS, IDLE_MS),
                new WorkerKey.OfEnvelope(), WorkerKey.TYPE)) {
            view.open();
            view.setProcessingTime(0);
            List<StepStats> ended = StatsFixtures.exploding("run-ended", "w0", 12, 11);
            List<StepStats> alive = StatsFixtures.healthy("run-alive", "w0", 200);
            for (StepStats s : ended) view.processElement(new StreamRecord<>(StatsEnvelope.decoded(s)));
            assertTrue(view.getSideOutput(WorkerViewFunction.COMMANDS).size() >= 1, "the exploding run got a command");
            // run-alive publishes a step every 5 s for longer than the idle timeout
            for (int i = 0; i < 30; i++) {
                view.setProcessingTime(i * 5_000L);
                view.processElement(new StreamRecord<>(StatsEnvelope.decoded(alive.get(i))));
            }
            // run-ended is gone, with its policy's memory: run-alive's worker-view state and its idle timer state
            assertEquals(2, entries(view));
            assertEquals(1, view.numProcessingTimeTimers());
        }
    }

    @Test
    void theComparisonAcrossWorkersForgetsARunThatFellSilent() throws Exception {
        try (var h = harness(new RunDivergenceFunction(DetectorConfig.DEFAULTS, IDLE_MS),
                StepNorms::runId, org.apache.flink.api.common.typeinfo.Types.STRING)) {
            h.open();
            h.setProcessingTime(1_000);
            List<List<StepStats>> fleet = StatsFixtures.fleet("run-f", 4, 12, 1, 25);
            for (int s = 0; s < 12; s++) {
                for (List<StepStats> worker : fleet) h.processElement(new StreamRecord<>(StepNorms.of(worker.get(s))));
            }
            assertEquals(3, h.extractOutputValues().size(), "w1 diverges in each of the 3 layers");
            assertTrue(h.extractOutputValues().stream().allMatch(a -> "w1".equals(a.workerId())));
            assertEquals(1, h.numProcessingTimeTimers(), "one idle timer per run");

            h.setProcessingTime(1_000 + IDLE_MS + IDLE_MS / 10);
            assertEquals(0, entries(h));
            assertEquals(0, h.numProcessingTimeTimers());
        }
    }
}
