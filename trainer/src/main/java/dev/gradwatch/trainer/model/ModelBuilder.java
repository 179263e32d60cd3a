package dev.gradwatch.trainer.model;

import dev.gradwatch.trainer.engine.Layer;
import dev.gradwatch.trainer.nn.ActivationLayer;
import dev.gradwatch.trainer.nn.BatchNorm;
import dev.gradwatch.trainer.nn.Dense;
import dev.gradwatch.trainer.nn.Dropout;
import dev.gradwatch.trainer.nn.LayerNorm;
import dev.gradwatch.trainer.nn.PRelu;
import dev.gradwatch.trainer.nn.Residual;
import dev.gradwatch.trainer.nn.Sequential;
import dev.gradwatch.trainer.nn.Softmax;
import dev.gradwatch.trainer.nn.recurrent.Gru;
import dev.gradwatch.trainer.nn.recurrent.LastTimeStep;
import dev.gradwatch.trainer.nn.recurrent.Lstm;
import dev.gradwatch.trainer.nn.recurrent.Rnn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Turns the layers of a {@link ModelFile} into a network. Layers are named by kind and a counter
 * over the whole model in file order ({@code dense0}, {@code dense1}, {@code bn0}, {@code res0}…),
 * so names are unique even inside residual blocks; recurrent layers are {@code rnn0}, {@code lstm0},
 * {@code gru0} and last-step layers {@code last0}, all with the data set's T. Weights are drawn from {@code rng} layer by
 * layer in file order and dropout layer k gets the seed {@code dropoutSeed + k}: a seed gives the
 * same network.
 */
public final class ModelBuilder {

    private final SplittableRandom rng;
    private final long dropoutSeed;
    private final int timeSteps;
    private final Map<String, Integer> counters = new HashMap<>();

    private ModelBuilder(SplittableRandom rng, long dropoutSeed, int timeSteps) {
        this.rng = rng;
        this.dropoutSeed = dropoutSeed;
        this.timeSteps = timeSteps;
    }

    /**
     * The network of {@code file}. A final softmax layer is left out when the loss is
     * {@code softmax-ce}, which applies the softmax itself: the network then ends on logits.
     */
    public static Sequential build(ModelFile file, SplittableRandom rng, long dropoutSeed) {
        List<ModelFile.LayerSpec> specs = file.layers();
        if (foldsSoftmax(file)) specs = specs.subList(0, specs.size() - 1);
        ModelBuilder b = new ModelBuilder(rng, dropoutSeed, file.data().sequenceLength());
        return new Sequential(file.name(), b.layers(specs, file.input()));
    }

    /** Whether the last layer is a softmax that {@code softmax-ce} takes over. */
    public static boolean foldsSoftmax(ModelFile file) {
        return file.loss().equals("softmax-ce") && file.layers().get(file.layers().size() - 1) instanceof ModelFile.Softmax;
    }

    private String next(String kind) {
        int k = counters.merge(kind, 1, Integer::sum) - 1;
        return kind + k;
    }

    private List<Layer> layers(List<ModelFile.LayerSpec> specs, int width) {
        List<Layer> out = new ArrayList<>();
        int w = width;
        for (ModelFile.LayerSpec spec : specs) {
            Layer l;
            if (spec instanceof ModelFile.Dense d) {
                l = new Dense(next("dense"), w, d.size(), d.activation(), d.init(), rng);
                w = d.size();
            } else if (spec instanceof ModelFile.ActivationOnly a) {
                l = new ActivationLayer(next("act"), a.activation());
            } else if (spec instanceof ModelFile.BatchNorm bn) {
                l = new BatchNorm(next("bn"), w, bn.eps(), bn.momentum());
            } else if (spec instanceof ModelFile.LayerNorm ln) {
                l = new LayerNorm(next("ln"), w, ln.eps());
            } else if (spec instanceof ModelFile.Dropout d) {
                int k = counters.getOrDefault("drop", 0);
                l = new Dropout(next("drop"), d.p(), dropoutSeed + k);
            } else if (spec instanceof ModelFile.PRelu p) {
                l = new PRelu(next("prelu"), w, p.shared() ? 1 : w, p.initialSlope());
            } else if (spec instanceof ModelFile.Recurrent r) {
                l = switch (r.cell()) {
                    case "rnn" -> new Rnn(next("rnn"), w, r.size(), timeSteps, rng);
                    case "lstm" -> new Lstm(next("lstm"), w, r.size(), timeSteps, r.forgetBias(), rng);
                    default -> new Gru(next("gru"), w, r.size(), timeSteps, rng);
                };
                w = r.size();
            } else if (spec instanceof ModelFile.LastStep) {
                l = new LastTimeStep(next("last"), timeSteps);
            } else if (spec instanceof ModelFile.Softmax) {
                l = new Softmax(next("softmax"));
            } else {
                ModelFile.Residual r = (ModelFile.Residual) spec;
                String name = next("res");
                l = new Residual(name, r.scale(), layers(r.layers(), w));
            }
            out.add(l);
        }
        return out;
    }
}
