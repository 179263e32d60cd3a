package dev.gradwatch.monitor.detect;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.testing.StatsFixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerDivergenceDetectorTest {

    @Test
    void scoresAWorkerTenTimesItsPeersFarOutWhileThePeersStayNearZero() {
        Map<String, Double> norms = new LinkedHashMap<>();
        norms.put("w0", 1.0);
        norms.put("w1", 1.1);
        norms.put("w2", 0.9);
        norms.put("w3", 1.05);
        norms.put("w4", 10.0);
        Map<String, Double> z = WorkerDivergenceDetector.scores(norms, 3);
        assertTrue(z.get("w4") > 20, z.toString());
        for (String w : List.of("w0", "w1", "w2", "w3")) assertTrue(Math.abs(z.get(w)) < 3.5, z.toString());
    }

    @Test
    void givesNoScoresBelowTheMinimumWorkersOrWhenAllAgree() {
        assertTrue(WorkerDivergenceDetector.scores(Map.of("w0", 1.0, "w1", 50.0), 3).isEmpty());
        assertTrue(WorkerDivergenceDetector.scores(Map.of("w0", 1.0, "w1", 1.0, "w2", 1.0), 3).isEmpty());
        // non-finite norms do not count as workers
        assertTrue(WorkerDivergenceDetector.scores(Map.of("w0", 1.0, "w1", 2.0, "w2", Double.NaN), 3).isEmpty());
    }

    @Test
    void firesOnlyWhenTheWorkerIsOutOnTheSameSideAtEveryComparedStep() {
        Subject who = new Subject("run-1", "w3", 2, "dense2", "dense/relu");
        Finding f = WorkerDivergenceDetector.diverging(who, Series.of(0, 9, 8, 12, 10, 9), 3.5, 3, 10, 1, 5)
                .orElseThrow();
        assertEquals(Rules.WORKER_DIVERGENCE, f.rule());
        assertEquals("w3", f.workerId());
        assertEquals(10.0, f.evidence().get("ratioToMedian"));
        assertTrue(f.remedy().contains("larger than its peers'"), f.remedy());
        assertTrue(WorkerDivergenceDetector.diverging(who, Series.of(0, 9, 8, 2, 10, 9), 3.5, 3, 10, 1, 5).isEmpty());
        assertTrue(WorkerDivergenceDetector.diverging(who, Series.of(0, 9, -8, 9), 3.5, 3, 10, 1, 5).isEmpty());
        Finding low = WorkerDivergenceDetector.diverging(who, Series.of(0, -9, -8, -7), 3.5, 3, 0.1, 1, 5).orElseThrow();
        assertTrue(low.remedy().contains("smaller than its peers'"), low.remedy());
    }

    private static List<Alert> feedInterleaved(DivergenceMonitor m, DivergenceState st, List<List<StepStats>> fleet,
                                               int layer, int from, int to) {
        List<Alert> out = new ArrayList<>();
        for (int s = from; s < to; s++) {
            for (List<StepStats> worker : fleet) {
                StepStats st0 = worker.get(s);
                out.addAll(m.onSample(st, new LayerSample(st0.runId(), st0.workerId(), st0.step(), st0.timestampMs(),
                        st0.learningRate(), st0.layers().get(layer))).alerts());
            }
        }
        return out;
    }

    @Test
    void theMonitorFiresForTheDivergingWorkerOnlyAndResolvesWhenItRejoins() {
        DivergenceMonitor m = new DivergenceMonitor(DetectorConfig.DEFAULTS);
        DivergenceState st = new DivergenceState();
        List<List<StepStats>> sick = StatsFixtures.fleet("run-f", 5, 30, 3, 20);
        List<Alert> alerts = feedInterleaved(m, st, sick, 1, 0, 30);
        assertEquals(List.of("worker_divergence:run-f:w3:1"), alerts.stream().map(Alert::fingerprint).toList());
        assertEquals(9, alerts.get(0).step());
        assertEquals(20.0, alerts.get(0).evidence().get("ratioToMedian") / (1.12 / 1.08), 1e-9);
        assertEquals(5.0, alerts.get(0).evidence().get("workers"));

        List<List<StepStats>> healed = StatsFixtures.fleet("run-f", 5, 60, -1, 1);
        List<Alert> later = feedInterleaved(m, st, healed, 1, 30, 60);
        assertEquals(List.of(Alert.RESOLVED), later.stream().map(Alert::status).toList(), later.toString());
        assertEquals(39, later.get(0).step());
        assertTrue(st.pending.size() <= 1, "steps are judged as soon as every worker reported them");
    }

    @Test
    void theMonitorStaysQuietOnAHealthyFleetAndOnASingleWorker() {
        DivergenceMonitor m = new DivergenceMonitor(DetectorConfig.DEFAULTS);
        assertTrue(feedInterleaved(m, new DivergenceState(), StatsFixtures.fleet("run-h", 6, 80, -1, 1), 0, 0, 80)
                .isEmpty());
        assertTrue(feedInterleaved(m, new DivergenceState(), StatsFixtures.fleet("run-1", 1, 80, -1, 1), 0, 0, 80)
                .isEmpty());
    }

    @Test
    void aStepAWorkerNeverReportsWaitsForTheLagThenIsJudgedWithTheOthersAndLateReportsAreDropped() {
        DivergenceMonitor m = new DivergenceMonitor(DetectorConfig.DEFAULTS);
        DivergenceState st = new DivergenceState();
        List<List<StepStats>> fleet = StatsFixtures.fleet("run-g", 4, 70, 2, 30);
        List<Alert> alerts = new ArrayList<>();
        for (int s = 0; s < 70; s++) {
            for (int w = 0; w < 4; w++) {
                if (w == 0 && s == 12) continue; // w0 skips step 12
                StepStats x = fleet.get(w).get(s);
                alerts.addAll(m.onSample(st, new LayerSample(x.runId(), x.workerId(), x.step(), x.timestampMs(), 0.05,
                        x.layers().get(0))).alerts());
            }
            if (s == 51) assertEquals(11, st.lastJudgedStep, "step 12 waits for w0 until it is 40 steps behind");
        }
        assertEquals(List.of("worker_divergence:run-g:w2:0"), alerts.stream().map(Alert::fingerprint).toList());
        assertEquals(69, st.lastJudgedStep);
        assertTrue(st.pending.isEmpty());
        StepStats late = fleet.get(0).get(12);
        assertTrue(m.onSample(st, new LayerSample(late.runId(), late.workerId(), 12, 0, 0.05, late.layers().get(0)))
                .isDropped());
    }

    @Test
    void aWorkerRunningAheadOfItsPeersIsStillComparedAndNotResolvedForWantOfPeers() {
        // w0 and w1 (one partition) publish all 30 steps before w2 and w3 (another) publish any
        DivergenceMonitor m = new DivergenceMonitor(DetectorConfig.DEFAULTS);
        DivergenceState st = new DivergenceState();
        List<List<StepStats>> fleet = StatsFixtures.fleet("run-s", 4, 30, 1, 20);
        List<Alert> alerts = new ArrayList<>();
        for (int[] group : new int[][] {{0, 1}, {2, 3}}) {
            for (int s = 0; s < 30; s++) {
                for (int w : group) {
                    StepStats x = fleet.get(w).get(s);
                    alerts.addAll(m.onSample(st, new LayerSample(x.runId(), x.workerId(), x.step(), x.timestampMs(),
                            0.05, x.layers().get(0))).alerts());
                }
            }
        }
        assertEquals(List.of("worker_divergence:run-s:w1:0"), alerts.stream().map(Alert::fingerprint).toList());
        assertTrue(alerts.stream().allMatch(a -> a.status().equals(Alert.FIRING)), alerts.toString());
    }

    /**
     * The monitor counts the active workers again only when the newest step moves, the roster
     * changes or a worker comes back within the lag. Fed a fleet whose workers lag, fall silent,
     * come back, diverge and finish, it must decide exactly as a monitor that counts them for every
     * norm.
     */
    @Test
    void countingActiveWorkersOnlyWhenTheyCanChangeDecidesAsCountingThemForEveryNorm() {
        DetectorConfig cfg = DetectorConfig.DEFAULTS;
        DivergenceMonitor cached = new DivergenceMonitor(cfg);
        DivergenceMonitor counting = new DivergenceMonitor(cfg);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
        DivergenceState a = new DivergenceState();
        DivergenceState b = new DivergenceState();
        int workers = 8;
        long[] next = new long[workers];
        int alerts = 0;
        int dropped = 0;
        for (int round = 0; round < 20000; round++) {
            int w = rng.nextInt(workers);
            if (rng.nextInt(400) == 0) {
                // the worker finishes; a new one takes its name later
                List<Alert> x = cached.onEndOfRun(a, "run", "w" + w, next[w], round).alerts();
                b.activeWorkersValid = false;
                assertEquals(x, counting.onEndOfRun(b, "run", "w" + w, next[w], round).alerts());
                continue;
            }
            if (rng.nextInt(800) == 0) next[w] += rng.nextInt(1, 120); // a pause, or a jump ahead
            if (w == 0 && rng.nextInt(3) == 0) continue; // a slow worker
            long step = rng.nextInt(200) == 0 ? Math.max(0, next[w] - rng.nextInt(1, 60)) : next[w]++;
            double norm = (w == 1 && (step / 100) % 2 == 1 ? 20 : 1) * Math.exp(0.1 * rng.nextGaussian());
            b.activeWorkersValid = false;
            Outcome x = cached.onNorm(a, "run", "w" + w, step, round, 0, "dense0", "dense/relu", norm);
            Outcome y = counting.onNorm(b, "run", "w" + w, step, round, 0, "dense0", "dense/relu", norm);
            assertEquals(y.isDropped(), x.isDropped(), "round " + round);
            assertEquals(y.alerts(), x.alerts(), "round " + round);
            alerts += x.alerts().size();
            if (x.isDropped()) dropped++;
        }
        assertTrue(alerts > 0, "the fleet must raise divergence alerts");
        assertTrue(dropped > 0, "the fleet must send late norms");
    }
}
