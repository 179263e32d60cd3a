package dev.gradwatch.monitor.job;

import dev.gradwatch.events.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** The side outputs of the job's operators. */
public final class Outputs {

    /** Records of the stats topic that could not be decoded. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private Outputs() {
    }
}
