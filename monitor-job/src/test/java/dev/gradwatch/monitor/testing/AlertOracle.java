package dev.gradwatch.monitor.testing;

import dev.gradwatch.events.Alert;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.monitor.detect.DivergenceMonitor;
import dev.gradwatch.monitor.detect.DivergenceState;
import dev.gradwatch.monitor.detect.LayerMonitor;
import dev.gradwatch.monitor.detect.LayerSample;
import dev.gradwatch.monitor.detect.LayerState;
import dev.gradwatch.monitor.detect.StepMonitor;
import dev.gradwatch.monitor.detect.StepState;
import dev.gradwatch.monitor.rules.RuleSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The alerts the job's three views would raise on one uninterrupted, in-order pass: the pure
 * detectors fed directly, keyed as the job keys them (step view per (run, worker), layer windows
 * per (run, worker, layer), worker comparison per (run, layer)). The independent answer that an
 * end-to-end run is checked against.
 */
public final class AlertOracle {

    private final RuleSet rules;
    private final Map<String, StepState> steps = new HashMap<>();
    private final Map<String, LayerState> layers = new HashMap<>();
    private final Map<String, DivergenceState> divergence = new HashMap<>();
    private final List<Alert> alerts = new ArrayList<>();

    public AlertOracle(RuleSet rules) {
        this.rules = rules;
    }

    /** Judges one step in every view; returns the alerts it raised. */
    public List<Alert> feed(StepStats s) {
        List<Alert> raised = new ArrayList<>();
        var cfg = rules.forRun(s.runId(), s.labels());
        raised.addAll(new StepMonitor(cfg)
                .onStep(steps.computeIfAbsent(s.runId() + "/" + s.workerId(), k -> new StepState()), s).alerts());
        for (LayerStats l : s.layers()) {
            LayerState layer = layers.computeIfAbsent(s.runId() + "/" + s.workerId() + "/" + l.index(),
                    k -> new LayerState());
            DivergenceState across = divergence.computeIfAbsent(s.runId() + "/" + l.index(), k -> new DivergenceState());
            if (s.endsRun()) {
                // the worker finished: what fires for the layer resolves, and the worker leaves the comparison
                raised.addAll(new LayerMonitor(cfg).closeAll(layer, s.runId(), s.workerId(), l.index(), s.timestampMs(),
                        StepMonitor.endReason(s.step())));
                raised.addAll(new DivergenceMonitor(cfg).onEndOfRun(across, s.runId(), s.workerId(), s.step(),
                        s.timestampMs()).alerts());
                continue;
            }
            LayerSample sample = new LayerSample(s.runId(), s.workerId(), s.step(), s.timestampMs(), s.learningRate(), l);
            raised.addAll(new LayerMonitor(cfg).onSample(layer, sample).alerts());
            raised.addAll(new DivergenceMonitor(cfg).onSample(across, sample).alerts());
        }
        alerts.addAll(raised);
        return raised;
    }

    public AlertOracle feedAll(List<StepStats> series) {
        series.forEach(this::feed);
        return this;
    }

    public List<Alert> alerts() {
        return List.copyOf(alerts);
    }

    public Set<String> alertIds() {
        Set<String> ids = new LinkedHashSet<>();
        for (Alert a : alerts) ids.add(a.alertId());
        return ids;
    }
}
