package dev.gradwatch.monitor.job;

import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.ingest.RawRecord;
import dev.gradwatch.monitor.ingest.StatsDecoder;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Decodes raw stats records; what cannot be decoded goes to {@link Outputs#DEAD_LETTERS}, counted. */
public final class DecodeStatsFunction extends ProcessFunction<RawRecord, StepStats> {

    private transient Counter decoded;
    private transient Counter deadLetters;

    @Override
    public void open(OpenContext ctx) {
        decoded = getRuntimeContext().getMetricGroup().counter("statsDecoded");
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<StepStats> out) {
        StatsDecoder.Result result = StatsDecoder.decode(r);
        if (result.ok()) {
            decoded.inc();
            out.collect(result.stats());
        } else {
            deadLetters.inc();
            ctx.output(Outputs.DEAD_LETTERS, result.deadLetter());
        }
    }
}
