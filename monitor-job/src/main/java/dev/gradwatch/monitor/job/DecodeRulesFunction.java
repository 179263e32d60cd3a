package dev.gradwatch.monitor.job;

import dev.gradwatch.events.DeadLetter;
import dev.gradwatch.monitor.ingest.RawRecord;
import dev.gradwatch.monitor.rules.RulesFile;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.nio.charset.StandardCharsets;

/**
 * Validates rules files from the rules topic: a valid one goes on (as its text) to be broadcast to
 * the detectors; an invalid one goes to {@link Outputs#DEAD_LETTERS} with the error, counted, and
 * the rules in force stay as they were.
 */
public final class DecodeRulesFunction extends ProcessFunction<RawRecord, String> {

    private transient Counter accepted;
    private transient Counter rejected;

    @Override
    public void open(OpenContext ctx) {
        accepted = getRuntimeContext().getMetricGroup().counter("rulesAccepted");
        rejected = getRuntimeContext().getMetricGroup().counter("rulesRejected");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<String> out) {
        String text = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
        try {
            if (text.isBlank()) throw new IllegalArgumentException("empty rules record");
            RulesFile.parse(text, r.topic() + "@" + r.partition() + ":" + r.offset()).toRuleSet();
            accepted.inc();
            out.collect(text);
        } catch (IllegalArgumentException e) {
            rejected.inc();
            ctx.output(Outputs.DEAD_LETTERS, new DeadLetter(DeadLetter.CURRENT_VERSION, r.topic(), r.partition(),
                    r.offset(), "rules rejected, the rules in force stay: " + e.getMessage(), text, r.timestampMs()));
        }
    }
}
