package dev.gradwatch.trainer.train;

import dev.gradwatch.trainer.model.ModelFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * The gradient table of docs/gradient-table.md: {@link ProbeReport}s of the classic cases, sigmoid,
 * tanh and ReLU nets at depths 6, 16 and 50 with a naive, PyTorch's default, Xavier and He init,
 * plain, with residual blocks, with batch normalization, and with both. Every case is a model file
 * ({@link #modelFile}) probed exactly as {@code gradwatch probe} does, so a row can be reproduced on
 * its own; {@code gradwatch probe --table docs/gradient-table.md} regenerates the whole document.
 */
public final class GradientTable {

    public static final List<String> ACTIVATIONS = List.of("sigmoid", "tanh", "relu");
    public static final List<Integer> DEPTHS = List.of(6, 16, 50);
    /** Naive N(0, 0.01²), PyTorch's nn.Linear default, Xavier (Glorot) normal, He (Kaiming) normal. */
    public static final List<String> INITS = List.of("normal:0.01", "pytorch-default", "xavier-normal", "he-normal");
    public static final List<String> ARCHITECTURES = List.of("plain", "residual", "batchnorm", "residual-batchnorm");
    public static final int WIDTH = 64;
    public static final int BATCH = 64;
    public static final long SEED = 1;

    private GradientTable() {
    }

    /**
     * The model file of one case, as YAML: {@code depth} dense layers of width 64 (the last one a
     * linear output) on the teacher regression task with 64 inputs, MSE, batch 64, seed 1. In the
     * residual architectures every hidden layer after the first is a block y = x + F(x); with
     * batch normalization each hidden dense layer is linear and followed by batch norm and then
     * the activation (Ioffe and Szegedy's placement).
     */
    public static String modelFile(String activation, int depth, String init, String architecture) {
        if (!ARCHITECTURES.contains(architecture)) {
            throw new IllegalArgumentException("architecture must be one of " + String.join(", ", ARCHITECTURES) + "; got \"" + architecture + "\"");
        }
        if (depth < 3) throw new IllegalArgumentException("depth must be >= 3, got " + depth);
        boolean residual = architecture.startsWith("residual"), norm = architecture.endsWith("batchnorm");
        StringBuilder y = new StringBuilder();
        y.append("name: ").append(activation).append('-').append(depth).append('-').append(init.replace(':', '-'))
                .append('-').append(architecture).append('\n');
        y.append("seed: ").append(SEED).append('\n');
        y.append("input: ").append(WIDTH).append('\n');
        y.append("layers:\n");
        hidden(y, "  ", activation, init, norm);
        for (int l = 1; l < depth - 1; l++) {
            if (residual) {
                y.append("  - type: residual\n    layers:\n");
                hidden(y, "      ", activation, init, norm);
            } else {
                hidden(y, "  ", activation, init, norm);
            }
        }
        y.append("  - {type: dense, size: 1, activation: linear, init: \"").append(init).append("\"}\n");
        y.append("loss: mse\n");
        y.append("optimizer: {type: sgd, lr: 0.01}\n");
        y.append("data: {type: teacher-regression}\n");
        y.append("batch: ").append(BATCH).append('\n');
        y.append("steps: 1\n");
        return y.toString();
    }

    private static void hidden(StringBuilder y, String indent, String activation, String init, boolean norm) {
        if (norm) {
            y.append(indent).append("- {type: dense, size: ").append(WIDTH).append(", activation: linear, init: \"").append(init).append("\"}\n");
            y.append(indent).append("- {type: batchnorm}\n");
            y.append(indent).append("- {type: activation, activation: ").append(activation).append("}\n");
        } else {
            y.append(indent).append("- {type: dense, size: ").append(WIDTH).append(", activation: ").append(activation)
                    .append(", init: \"").append(init).append("\"}\n");
        }
    }

    /** Probes one case. */
    public static ProbeReport probe(String activation, int depth, String init, String architecture) {
        ModelFile file = ModelFile.parse(modelFile(activation, depth, init, architecture), false, "case");
        try {
            return ProbeReport.of(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // synthetic data: nothing is read
        }
    }

    /** The whole document, every figure computed now. */
    public static String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Gradient table: vanishing and exploding gradients by activation, depth, init and architecture\n\n");
        b.append("Generated; do not edit by hand. Regenerate with\n\n");
        b.append("```\n./gradwatch probe --table docs/gradient-table.md\n```\n\n");
        b.append("(`GradientTableTest` in `trainer` fails when this file and the command's output differ.)\n\n");
        b.append("Each cell is one forward and backward pass at initialisation, exactly as `gradwatch probe` runs it, on a\n");
        b.append("batch of ").append(BATCH).append(" samples of the teacher regression task (64 inputs, MSE), seed ").append(SEED)
                .append(", dense layers of width ").append(WIDTH).append(";\n");
        b.append("depth counts the dense layers, the last of which is a linear output. A cell reads\n");
        b.append("`first/last (factor)`: the ratio of the first dense layer's gradient norm to the last one's, and the\n");
        b.append("average per-layer attenuation factor, the geometric mean of the successive ratios ‖g_l‖/‖g_{l+1}‖ —\n");
        b.append("under 1 the gradient shrinks by that factor per layer on its way back to the input (vanishing), over 1 it grows.\n\n");
        b.append("- inits: naive `normal:0.01` (N(0, 0.01²) whatever the width), `pytorch-default` (U(±1/√fan_in),\n");
        b.append("  `nn.Linear`'s default), `xavier-normal` (N(0, 2/(fan_in+fan_out))), `he-normal` (N(0, 2/fan_in));\n");
        b.append("- architectures: `plain`; `residual` (every hidden layer after the first is a block y = x + F(x));\n");
        b.append("  `batchnorm` (each hidden dense layer linear, then batch norm, then the activation); `residual-batchnorm` (both).\n\n");
        b.append("One case as a model file, to probe or train on its own:\n");
        b.append("`./gradwatch probe --case relu,16,he-normal,residual > case.yaml && ./gradwatch probe case.yaml`.\n");
        for (String activation : ACTIVATIONS) {
            b.append("\n## ").append(activation).append("\n\n");
            b.append("| depth | init |");
            for (String a : ARCHITECTURES) b.append(' ').append(a).append(" |");
            b.append("\n| ---: | --- |");
            for (int i = 0; i < ARCHITECTURES.size(); i++) b.append(" ---: |");
            b.append('\n');
            for (int depth : DEPTHS) {
                for (String init : INITS) {
                    b.append("| ").append(depth).append(" | `").append(init).append("` |");
                    for (String a : ARCHITECTURES) {
                        ProbeReport r = probe(activation, depth, init, a);
                        b.append(' ').append(cell(r)).append(" |");
                    }
                    b.append('\n');
                }
            }
        }
        return b.toString();
    }

    private static String cell(ProbeReport r) {
        return String.format(Locale.ROOT, "%.1e (%.3g)", r.firstLastRatio(), r.attenuation());
    }
}
