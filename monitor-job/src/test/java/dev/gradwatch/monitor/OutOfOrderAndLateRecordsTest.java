package dev.gradwatch.monitor;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.Rules;
import dev.gradwatch.monitor.testing.AlertOracle;
import dev.gradwatch.monitor.testing.EndToEnd;
import dev.gradwatch.monitor.testing.StatsFixtures;
import dev.gradwatch.monitor.testing.TopicReader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole job on a real broker and a MiniCluster at parallelism 2, fed one worker's steps out of
 * order: neighbours swapped within a window, two steps held back until the run has moved 40+ steps
 * on (older than any open window, already judged by the worker comparison), and one step sent twice.
 *
 * <p>The job's policy is to judge each key's steps in increasing order and to drop, and count, a
 * step that is not after the latest one it judged. What this test pins down: the alerts are exactly
 * those of the same series judged in order (a missing sample inside a window does not change a
 * verdict, and a window whose last step came late is still closed, by the step after it), and every
 * record the job read is accounted for: the counters {@code stepsOutOfOrder} (step view),
 * {@code samplesOutOfOrder} (layer windows) and {@code samplesLateForWorkerComparison} (worker
 * comparison), read through Flink's metric system with an in-memory reporter, match the records
 * dropped one for one.
 */
class OutOfOrderAndLateRecordsTest extends BrokerPerClass {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String RUN = "run-late";
    private static final int STEPS = 60;
    /** Steps sent after their successor: {@code 24} is the last step of a window. */
    private static final int[] SWAPPED = {7, 24, 33, 46};
    /** Steps held back until after the last step, older than every window still open. */
    private static final int[] HELD_BACK = {3, 12};
    /** A step sent a second time at the end, as a producer retry would. */
    private static final int RESENT = 45;
    private static final int LAYERS = 3;

    /**
     * Layer 0 vanished (1e-9) throughout; layer 2 jumps a thousandfold at step 40 and stays over
     * the ceiling; layer 1's gradient is NaN at step 50.
     */
    static StepStats step(int s) {
        double jitter = 1 + 0.01 * (s % 3);
        double l1 = s == 50 ? Double.NaN : 0.5 * jitter;
        double l2 = (s < 40 ? 1.0 : 1500.0) * jitter;
        return StatsFixtures.step(RUN, "w0", s, 1.0 + 0.001 * (s % 3), "dense/relu", 1e-9 * jitter, l1, l2);
    }

    /** The order of publication: swaps, holes for the held-back steps, then those and the re-sent step. */
    static List<Integer> publicationOrder() {
        Set<Integer> swapped = java.util.Arrays.stream(SWAPPED).boxed().collect(Collectors.toSet());
        Set<Integer> held = java.util.Arrays.stream(HELD_BACK).boxed().collect(Collectors.toSet());
        List<Integer> order = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            if (held.contains(s)) continue;
            if (swapped.contains(s)) {
                order.add(s + 1);
                order.add(s);
                s++;
                continue;
            }
            order.add(s);
        }
        for (int s : HELD_BACK) order.add(s);
        order.add(RESENT);
        return order;
    }

    @Test
    void raisesTheInOrderAlertsAndCountsEveryStepThatCameTooLate() throws Exception {
        long started = System.nanoTime();
        MonitorConfig cfg = EndToEnd.topics(broker, "late", Map.of("checkpoint.interval.ms", "1000",
                // nobody acknowledges commands here: no command_unacknowledged while the test runs
                "command.ack-timeout.ms", "600000"));
        List<StepStats> inOrder = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) inOrder.add(step(s));
        Set<String> expected = new AlertOracle(cfg.rules()).feedAll(inOrder).alertIds();
        // the series is built to raise these; the oracle must agree before the job is asked to
        assertTrue(expected.containsAll(List.of(
                "vanishing_gradient:run-late:w0:0:firing@9",
                "exploding_gradient:run-late:w0:2:firing@40",
                "exploding_gradient_spike:run-late:w0:2:firing@40",
                "non_finite_gradient:run-late:w0:*:firing@50")), expected.toString());

        List<Integer> order = publicationOrder();
        // the step view drops a step when one after it was judged already
        int dropped = 0;
        int newest = -1;
        for (int s : order) {
            if (s <= newest) dropped++;
            newest = Math.max(newest, s);
        }
        assertEquals(SWAPPED.length + HELD_BACK.length + 1, dropped);

        InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();
        Configuration conf = reporter.addToConfiguration(EndToEnd.miniCluster());
        JobClient job = EndToEnd.start(cfg, conf);
        try (KafkaProducer<String, byte[]> producer = EndToEnd.producer(broker);
             TopicReader alertsTopic = new TopicReader(broker.bootstrapServers(), cfg.alertsTopic())) {
            for (int s : order) EndToEnd.publish(producer, cfg.statsTopic(), step(s));
            producer.flush();

            alertsTopic.readUntil(seen -> ids(EndToEnd.alerts(seen)).containsAll(expected), TIMEOUT);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (EndToEnd.counter(reporter, job.getJobID(), "stepsOutOfOrder") < dropped
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            // the late records came last: once they are counted, anything they raised has been sent
            List<Alert> alerts = EndToEnd.alerts(alertsTopic.readFor(Duration.ofSeconds(1)));

            assertEquals(new TreeSet<>(expected), new TreeSet<>(ids(alerts)), "alerts: " + alerts);
            assertEquals(alerts.size(), ids(alerts).size(), "each alert once: " + alerts);
            assertTrue(alerts.stream().anyMatch(a -> a.rule().equals(Rules.VANISHING_GRADIENT) && a.step() == 9));

            long decoded = EndToEnd.counter(reporter, job.getJobID(), "statsDecoded");
            long stepsDropped = EndToEnd.counter(reporter, job.getJobID(), "stepsOutOfOrder");
            long samplesDropped = EndToEnd.counter(reporter, job.getJobID(), "samplesOutOfOrder");
            long lateForComparison = EndToEnd.counter(reporter, job.getJobID(), "samplesLateForWorkerComparison");
            System.out.printf("out-of-order: published %d, decoded %d, stepsOutOfOrder %d, samplesOutOfOrder %d, "
                            + "samplesLateForWorkerComparison %d, %.1f s; alerts %s%n", order.size(), decoded,
                    stepsDropped, samplesDropped, lateForComparison, (System.nanoTime() - started) / 1e9,
                    new TreeSet<>(ids(alerts)));
            assertEquals(order.size(), decoded, "every record published was read and decoded");
            assertEquals(0, EndToEnd.counter(reporter, job.getJobID(), "deadLetters"));
            assertEquals(dropped, stepsDropped, "the step view counts each step it could not judge");
            assertEquals((long) dropped * LAYERS, samplesDropped, "so do the layer windows, per layer");
            // the comparison across workers waits 40 steps for stragglers, so swapped neighbours and even
            // the held-back steps' places were still open... except that by step 59 steps up to 19 are
            // judged: the held-back steps 3 and 12 are late there, and the re-sent step is a duplicate
            assertEquals((long) (HELD_BACK.length + 1) * LAYERS, lateForComparison);
        } finally {
            job.cancel().get();
        }
    }

    private static Set<String> ids(List<Alert> alerts) {
        Set<String> ids = new LinkedHashSet<>();
        for (Alert a : alerts) ids.add(a.alertId());
        return ids;
    }
}
