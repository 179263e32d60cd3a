package dev.gradwatch.monitor.detect;

import java.util.Map;
import java.util.Optional;

/** Feeds one rule's verdict through its latch and puts what must be announced into the outcome. */
final class Judge {

    private final int resolveAfterWindows;

    Judge(int resolveAfterWindows) {
        this.resolveAfterWindows = resolveAfterWindows;
    }

    /**
     * @param verdict          the finding when the condition holds
     * @param scope            the subject the fingerprint names (a layer, or the whole step)
     * @param step             the step judged (the sample's, or the window's last)
     * @param timestampMs      timestamp for the alert
     * @param resolvedEvidence numbers of this window, used if the alert resolves
     */
    void judge(Map<String, AlertLatch> latches, String rule, Optional<Finding> verdict, Subject scope,
               long step, long timestampMs, Map<String, Double> resolvedEvidence, Outcome out) {
        AlertLatch latch = latches.get(rule);
        if (latch == null) {
            if (verdict.isEmpty()) return;
            latch = new AlertLatch();
            latches.put(rule, latch);
        }
        switch (latch.observe(verdict.isPresent(), verdict.map(Finding::step).orElse(step), resolveAfterWindows)) {
            case FIRE -> out.alert(Alerts.firing(verdict.orElseThrow(), scope.layerIndex(), timestampMs));
            case RESOLVE -> out.alert(Alerts.resolved(rule, Rules.severityOf(rule), scope, step, timestampMs,
                    resolveAfterWindows, latch.firedAtStep, resolvedEvidence));
            default -> {
            }
        }
        if (latch.isIdle()) latches.remove(rule);
    }

    /**
     * Judges a window for a rule that fires on single steps: the window can only keep a firing
     * alert alive ({@code holds}) or count towards its resolution.
     */
    void sustain(Map<String, AlertLatch> latches, String rule, boolean holds, Subject scope, long step,
                 long timestampMs, Map<String, Double> resolvedEvidence, Outcome out) {
        AlertLatch latch = latches.get(rule);
        if (latch == null || !latch.firing) return;
        if (latch.observe(holds, step, resolveAfterWindows) == Transition.RESOLVE) {
            out.alert(Alerts.resolved(rule, Rules.severityOf(rule), scope, step, timestampMs,
                    resolveAfterWindows, latch.firedAtStep, resolvedEvidence));
        }
        if (latch.isIdle()) latches.remove(rule);
    }

    /** Last, min and max of a window, the evidence of a resolved alert. */
    static Map<String, Double> windowEvidence(String name, Series w) {
        if (w.isEmpty()) return Map.of();
        return Map.of(
                "last" + name, w.last(),
                "min" + name, w.minFinite(),
                "max" + name, w.maxFinite(),
                "windowFirstStep", (double) w.firstStep(),
                "windowLastStep", (double) w.lastStep(),
                "samples", (double) w.size());
    }
}
