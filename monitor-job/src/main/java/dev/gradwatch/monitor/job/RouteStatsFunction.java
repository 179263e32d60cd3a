package dev.gradwatch.monitor.job;

import dev.gradwatch.monitor.ingest.RawRecord;
import dev.gradwatch.monitor.ingest.StatsEnvelope;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Says where a raw stats record goes without decoding it, when its Kafka key names the run and
 * worker ({@code run/worker}, what the trainers write): then the bytes travel as they are and are
 * decoded after the shuffle. Records without such a key go to {@link #UNKEYED}, to be decoded first.
 */
public final class RouteStatsFunction extends ProcessFunction<RawRecord, StatsEnvelope> {

    /** Records whose key does not name a run and worker: decoded before the shuffle. */
    public static final OutputTag<RawRecord> UNKEYED = new OutputTag<>("unkeyed-stats", TypeInformation.of(RawRecord.class));

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<StatsEnvelope> out) {
        StatsEnvelope e = StatsEnvelope.ofKey(r);
        if (e != null) out.collect(e);
        else ctx.output(UNKEYED, r);
    }
}
