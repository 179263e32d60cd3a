package dev.gradwatch.monitor.job;

import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.DeadLetter;
import dev.gradwatch.events.DecodeException;
import dev.gradwatch.events.EventCodec;
import dev.gradwatch.monitor.ingest.RawRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.nio.charset.StandardCharsets;

/** Decodes the trainers' acks; what cannot be decoded goes to {@link Outputs#DEAD_LETTERS}, counted. */
public final class DecodeAcksFunction extends ProcessFunction<RawRecord, ControlAck> {

    private transient Counter decoded;
    private transient Counter rejected;

    @Override
    public void open(OpenContext ctx) {
        decoded = getRuntimeContext().getMetricGroup().counter("acksDecoded");
        rejected = getRuntimeContext().getMetricGroup().counter("acksUndecodable");
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<ControlAck> out) {
        byte[] value = r.value() == null ? new byte[0] : r.value();
        try {
            out.collect(EventCodec.decode(value, ControlAck.class));
            decoded.inc();
        } catch (DecodeException | RuntimeException e) {
            rejected.inc();
            ctx.output(Outputs.DEAD_LETTERS, new DeadLetter(DeadLetter.CURRENT_VERSION, r.topic(), r.partition(),
                    r.offset(), "undecodable ack: " + e.getMessage(), new String(value, StandardCharsets.UTF_8),
                    r.timestampMs()));
        }
    }
}
