package dev.gradwatch.alerting;

import dev.gradwatch.events.Alert;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Renders an alert as a few lines a person can read at 3 a.m. */
public final class AlertFormatter {

    private AlertFormatter() {
    }

    public static String format(Alert a) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "[%s] %s %s  run=%s worker=%s", a.severity(),
                a.status().toUpperCase(Locale.ROOT), a.rule(), a.runId(), a.workerId() == null ? "-" : a.workerId()));
        if (a.layerIndex() >= 0) sb.append(" layer=").append(a.layerName()).append(" (#").append(a.layerIndex()).append(')');
        sb.append(" step=").append(a.step()).append('\n');
        if (!a.summary().isEmpty()) sb.append("  ").append(a.summary()).append('\n');
        if (!a.evidence().isEmpty()) {
            sb.append("  evidence:");
            for (Map.Entry<String, Double> e : new TreeMap<>(a.evidence()).entrySet()) {
                sb.append(' ').append(e.getKey()).append('=').append(number(e.getValue()));
            }
            sb.append('\n');
        }
        if (!a.remedy().isEmpty()) sb.append("  what to do: ").append(a.remedy()).append('\n');
        return sb.toString();
    }

    /** Three significant digits; NaN and infinities spelled out. */
    public static String number(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == Math.rint(v) && Math.abs(v) < 1e4) return Long.toString((long) v);
        double abs = Math.abs(v);
        if (abs >= 1e-3 && abs < 1e4) return String.format(Locale.ROOT, "%.3g", v);
        return String.format(Locale.ROOT, "%.2e", v);
    }
}
