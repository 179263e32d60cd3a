package dev.gradwatch.monitor.job;

import dev.gradwatch.events.DeadLetter;
import dev.gradwatch.monitor.detect.Finding;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** The side outputs of the job's operators. */
public final class Outputs {

    /** Records of the stats topic that could not be decoded. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    /** Every finding of the detectors, latched or not: the evidence the control policy reads. */
    public static final OutputTag<Finding> FINDINGS =
            new OutputTag<>("findings", TypeInformation.of(Finding.class));

    private Outputs() {
    }
}
