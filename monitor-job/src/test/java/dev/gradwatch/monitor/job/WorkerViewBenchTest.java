package dev.gradwatch.monitor.job;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker-view bench decodes every record and judges every step (healthy ones raise nothing). */
class WorkerViewBenchTest {

    @Test
    void decodesEveryRecordJudgesEveryStepAndReportsCpuPerStatistic() {
        WorkerViewBench.Result r = WorkerViewBench.run(3, 60, 4, 3);
        assertEquals(0, r.decodeFailures());
        assertEquals(0, r.alertsPerRound(), "healthy synthetic workers raise no alert");
        assertTrue(r.decodeMicros() > 0 && Double.isFinite(r.decodeMicros()), "decode " + r.decodeMicros());
        assertTrue(r.judgeMicros() > 0 && Double.isFinite(r.judgeMicros()), "judge " + r.judgeMicros());
        assertThrows(IllegalArgumentException.class, () -> WorkerViewBench.run(3, 60, 4, 2));
    }
}
