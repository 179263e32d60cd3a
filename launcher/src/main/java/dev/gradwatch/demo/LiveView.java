package dev.gradwatch.demo;

import dev.gradwatch.alerting.AlertFormatter;
import dev.gradwatch.events.Alert;
import dev.gradwatch.trainer.TrainerWorker;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A compact table of the demo's trainers: step, loss, clip norm in force, alerts so far. */
final class LiveView {

    private final Map<Scenario, TrainerWorker> workers;
    private final Map<String, List<Alert>> alertsByRun;
    private final PrintStream out;

    LiveView(Map<Scenario, TrainerWorker> workers, Map<String, List<Alert>> alertsByRun, PrintStream out) {
        this.workers = workers;
        this.alertsByRun = alertsByRun;
        this.out = out;
    }

    void print() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-16s %7s %11s %10s %8s %7s %s%n",
                "run", "step", "loss", "clip", "skipped", "alerts", "rules"));
        for (Map.Entry<Scenario, TrainerWorker> e : workers.entrySet()) {
            TrainerWorker w = e.getValue();
            List<Alert> alerts = alertsByRun.getOrDefault(Demo.runId(e.getKey()), List.of());
            String rules = String.join(",", alerts.stream().map(Alert::rule).distinct().sorted().toList());
            sb.append(String.format(Locale.ROOT, "%-16s %7d %11s %10s %8d %7d %s%n",
                    Demo.runId(e.getKey()), w.stepsDone(), AlertFormatter.number(w.lastLoss()),
                    AlertFormatter.number(w.clipNorm()), w.skippedSteps(), alerts.size(), rules));
        }
        out.print(sb);
    }
}
