package dev.gradwatch.monitor.detect;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** Feeds one rule's verdict through its latch and puts what must be announced into the outcome. */
final class Judge {

    private final int resolveAfterWindows;
    private final int flapWithinWindows;
    private final int flapMaxResolveWindows;

    Judge(DetectorConfig cfg) {
        this.resolveAfterWindows = cfg.resolveAfterWindows();
        this.flapWithinWindows = cfg.flapWithinWindows();
        this.flapMaxResolveWindows = cfg.flapMaxResolveWindows();
    }

    /**
     * @param verdict          the finding when the condition holds
     * @param scope            the subject the fingerprint names (a layer, or the whole step)
     * @param step             the step judged (the sample's, or the window's last)
     * @param timestampMs      timestamp for the alert
     * @param resolvedEvidence numbers of this window, built only if the alert resolves (most windows of
     *                         most keys announce nothing, and building the map for each was a large
     *                         share of the detectors' time); null for none
     */
    void judge(Map<String, AlertLatch> latches, String rule, Optional<Finding> verdict, Subject scope,
               long step, long timestampMs, Supplier<Map<String, Double>> resolvedEvidence, Outcome out) {
        AlertLatch latch = latches.get(rule);
        if (latch == null) {
            if (verdict.isEmpty()) return;
            latch = new AlertLatch();
            latches.put(rule, latch);
        }
        int clearNeeded = latch.requiredClearWindows(resolveAfterWindows, flapMaxResolveWindows);
        switch (observe(latch, verdict.isPresent(), verdict.map(Finding::step).orElse(step))) {
            case FIRE -> out.alert(Alerts.firing(flapping(verdict.orElseThrow(), latch), scope.layerIndex(), timestampMs));
            case RESOLVE -> out.alert(resolved(rule, scope, step, timestampMs, clearNeeded, latch, resolvedEvidence));
            default -> {
            }
        }
        if (latch.isIdle()) latches.remove(rule);
    }

    private Transition observe(AlertLatch latch, boolean holds, long step) {
        return latch.observe(holds, step, resolveAfterWindows, flapWithinWindows, flapMaxResolveWindows);
    }

    /** The finding as announced: when the latch is flapping, its summary and evidence say so. */
    private Finding flapping(Finding f, AlertLatch latch) {
        if (!latch.isFlapping()) return f;
        Map<String, Double> evidence = new java.util.HashMap<>(f.evidence());
        evidence.put("flapCount", (double) latch.flaps);
        int clearNeeded = latch.requiredClearWindows(resolveAfterWindows, flapMaxResolveWindows);
        evidence.put("resolveAfterWindows", (double) clearNeeded);
        String summary = f.summary() + " [flapping: fired again within " + flapWithinWindows
                + " window(s) of resolving, flap " + latch.flaps + "; stays firing until clear for " + clearNeeded
                + " window(s)]";
        return new Finding(f.rule(), f.severity(), f.runId(), f.workerId(), f.layerIndex(), f.layerName(), f.step(),
                summary, evidence, f.remedy());
    }

    private static dev.gradwatch.events.Alert resolved(String rule, Subject scope, long step, long timestampMs,
                                                       int clearWindows, AlertLatch latch,
                                                       Supplier<Map<String, Double>> windowEvidence) {
        Map<String, Double> evidence = windowEvidence == null ? null : windowEvidence.get();
        if (latch.isFlapping()) {
            Map<String, Double> e = new java.util.HashMap<>(evidence == null ? Map.of() : evidence);
            e.put("flapCount", (double) latch.flaps);
            evidence = e;
        }
        return Alerts.resolved(rule, Rules.severityOf(rule), scope, step, timestampMs, clearWindows,
                latch.firedAtStep, evidence);
    }

    /**
     * Judges a window for a rule that fires on single steps: the window can only keep a firing
     * alert alive ({@code holds}) or count towards its resolution.
     */
    void sustain(Map<String, AlertLatch> latches, String rule, boolean holds, Subject scope, long step,
                 long timestampMs, Supplier<Map<String, Double>> resolvedEvidence, Outcome out) {
        AlertLatch latch = latches.get(rule);
        if (latch == null) return;
        if (!latch.firing) {
            // only ages the memory of a resolution (flap detection): a step that held fired the latch already
            if (!holds) observe(latch, false, step);
        } else {
            int clearNeeded = latch.requiredClearWindows(resolveAfterWindows, flapMaxResolveWindows);
            if (observe(latch, holds, step) == Transition.RESOLVE) {
                out.alert(resolved(rule, scope, step, timestampMs, clearNeeded, latch, resolvedEvidence));
            }
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
