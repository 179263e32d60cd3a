package dev.gradwatch.trainer.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.trainer.model.ModelFile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The gradient of a freshly initialised model on one batch: per-layer gradient norms, the ratio
 * of the first dense layer's norm to the last one's, and the average per-layer attenuation
 * factor, the geometric mean of the successive ratios ‖g_l‖/‖g_{l+1}‖ over the dense layers
 * (input side first), which telescopes to (first/last)^(1/(n−1)): below 1 the gradient shrinks by
 * that factor per layer on its way back to the input (vanishing), above 1 it grows (exploding).
 * Normalization and PReLU layers are listed but left out of the ratio and the factor, whose
 * parameters are of another kind than a weight matrix. Recurrent layers also carry the gradient
 * norm with respect to their hidden state per time step, ‖∂L/∂h_t‖ for t = 0 … T−1, and the text
 * shows its first/last ratio ‖∂L/∂h_0‖/‖∂L/∂h_{T−1}‖: far below 1, the gradient vanishes on its way
 * back through time.
 *
 * @param loss the batch loss at initialisation
 */
public record ProbeReport(String model, int batch, double loss, List<Layer> layers, double firstLastRatio,
                          double attenuation) {

    /**
     * One parameterised layer: its gradient and weight norms and, for recurrent layers, the
     * gradient norm per time step (null for the others, and then left out of the JSON).
     */
    public record Layer(int index, String name, String kind, long params, double gradL2, double weightL2,
                        @JsonInclude(JsonInclude.Include.NON_NULL) double[] timeStepGradNorms) {

        public Layer(int index, String name, String kind, long params, double gradL2, double weightL2) {
            this(index, name, kind, params, gradL2, weightL2, null);
        }

        /** ‖∂L/∂h_0‖ / ‖∂L/∂h_{T−1}‖ of a recurrent layer; NaN for the others. */
        public double firstLastTimeStepRatio() {
            if (timeStepGradNorms == null || timeStepGradNorms.length == 0) return Double.NaN;
            return timeStepGradNorms[0] / timeStepGradNorms[timeStepGradNorms.length - 1];
        }
    }

    public ProbeReport {
        layers = List.copyOf(layers);
    }

    /** Builds the model of {@code file} and probes one forward and backward pass on its first training batch. */
    public static ProbeReport of(ModelFile file) throws IOException {
        ModelRun run = ModelRun.create(file);
        double loss = run.forwardBackward();
        List<Layer> layers = new ArrayList<>();
        List<Double> dense = new ArrayList<>();
        for (LayerStats s : run.probe().snapshot()) {
            layers.add(new Layer(s.index(), s.name(), s.kind(), s.paramCount(), s.gradL2(), s.weightL2(), s.timeStepGradNorms()));
            if (s.kind().startsWith("dense/")) dense.add(s.gradL2());
        }
        double ratio = Double.NaN, factor = Double.NaN;
        if (dense.size() >= 2) {
            ratio = dense.get(0) / dense.get(dense.size() - 1);
            // geometric mean of ‖g_l‖/‖g_{l+1}‖ = exp(mean of log ratios)
            double logSum = 0;
            for (int l = 0; l + 1 < dense.size(); l++) logSum += Math.log(dense.get(l) / dense.get(l + 1));
            factor = Math.exp(logSum / (dense.size() - 1));
        }
        return new ProbeReport(file.name(), file.batch(), loss, layers, ratio, factor);
    }

    /** A readable table, one line per layer, then the ratio and the factor. */
    public String text() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s: one forward and backward pass on a batch of %d, loss %.4g%n", model, batch, loss));
        b.append(String.format(Locale.ROOT, "%5s  %-14s %-20s %10s %12s %12s%n", "layer", "name", "kind", "params", "grad L2", "weight L2"));
        for (Layer l : layers) {
            b.append(String.format(Locale.ROOT, "%5d  %-14s %-20s %10d %12.3e %12.3e%n", l.index(), l.name(), l.kind(), l.params(),
                    l.gradL2(), l.weightL2()));
        }
        for (Layer l : layers) {
            double[] ts = l.timeStepGradNorms();
            if (ts == null || ts.length == 0) continue;
            b.append(String.format(Locale.ROOT, "%s: first/last time-step gradient norm ratio over %d steps: %.3e "
                            + "(|dL/dh_0| %.3e, |dL/dh_%d| %.3e)%n", l.name(), ts.length, l.firstLastTimeStepRatio(), ts[0],
                    ts.length - 1, ts[ts.length - 1]));
        }
        if (layers.stream().filter(l -> l.kind().startsWith("dense/")).count() < 2) {
            // fewer than two dense layers (a recurrent layer with one dense head, say): nothing to compare
            b.append(String.format(Locale.ROOT, "first/last dense gradient norm ratio: n/a (fewer than two dense layers)%n"));
            b.append(String.format(Locale.ROOT, "average per-layer attenuation factor: n/a%n"));
            return b.toString();
        }
        b.append(String.format(Locale.ROOT, "first/last dense gradient norm ratio: %.3e%n", firstLastRatio));
        b.append(String.format(Locale.ROOT, "average per-layer attenuation factor: %.4g (%s)%n", attenuation, verdict(attenuation)));
        return b.toString();
    }

    /**
     * How a factor reads. Only a direction: layer sizes differ (a 784-input layer has a larger
     * gradient norm than a 10-output one for the same per-entry size), so a factor a little off 1
     * over a few layers says little; a factor far from 1 over many layers is vanishing or exploding.
     */
    static String verdict(double factor) {
        if (!Double.isFinite(factor)) return "not finite";
        if (factor < 0.8) return "shrinking toward the input";
        if (factor > 1.25) return "growing toward the input";
        return "about steady";
    }
}
