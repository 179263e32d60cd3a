package dev.gradwatch.trainer.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.gradwatch.trainer.data.LabeledImages;
import dev.gradwatch.trainer.model.ModelFile.ClipSpec;
import dev.gradwatch.trainer.model.ModelFile.DataSpec;
import dev.gradwatch.trainer.model.ModelFile.LayerSpec;
import dev.gradwatch.trainer.model.ModelFile.OptimizerSpec;
import dev.gradwatch.trainer.model.ModelFile.ScheduleSpec;
import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Init;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a model file and checks every field, failing on the first bad one with its path and what
 * was expected there ({@code layers[3].activation: expected one of sigmoid, …; got "sigmoud"}).
 * Unknown fields are errors too, so a misspelt key is never silently ignored.
 *
 * <pre>
 * name: fashion-mnist-mlp          # optional, default: the file name
 * seed: 1                          # optional, default 1
 * input: 784
 * layers:
 *   - {type: dense, size: 256, activation: relu, init: he-normal}   # activation default linear,
 *                                                                   # init default pytorch-default
 *   - {type: batchnorm}            # eps 1e-5, momentum 0.1
 *   - {type: layernorm}            # eps 1e-5
 *   - {type: activation, activation: tanh}
 *   - {type: residual, scale: 1.0, layers: [ ...inner layers, keeping the width... ]}
 *   - {type: dropout, p: 0.1}
 *   - {type: prelu, shared: false, init: 0.25}
 *   - {type: softmax}              # last, with softmax-ce: folded into the loss
 *   - {type: lstm, size: 32, forget-bias: 1.0}   # also rnn and gru (size only): sequence data only;
 *   - {type: last-step}            # keeps h_T, after a recurrent layer; T comes from the data set
 * loss: softmax-ce                 # mse, bce, softmax-ce
 * optimizer: {type: adam, lr: 1e-3}  # sgd (momentum, nesterov, weight-decay), adam or adamw
 *                                    # (beta1, beta2, eps, weight-decay)
 * schedule: constant               # or {type: step, step-size, gamma}, {type: cosine, steps, min-factor},
 *                                  # {type: warmup, steps, then: SCHEDULE}
 * clip: none                       # or {type: norm|value|per-layer, max}, {type: agc, lambda, eps}
 * data: {type: fashion-mnist, path: /usr/share/datasets/fashion-mnist, normalize: false}
 *                                  # normalize: standardize pixels with the training set's mean and std
 *                                  # teacher-regression, teacher-classification, two-spirals (turns, noise),
 *                                  # parity (bits); synthetic ones take test-size (default 2000)
 *                                  # sequences: adding (time-steps), copy (symbols, length, delay)
 * batch: 128
 * epochs: 5                        # or steps: N (epochs for fashion-mnist only)
 * </pre>
 */
public final class ModelFileReader {

    static final List<String> LOSSES = List.of("mse", "bce", "softmax-ce");
    static final List<String> LAYER_TYPES = List.of("dense", "batchnorm", "layernorm", "activation", "residual", "dropout",
            "prelu", "softmax", "rnn", "lstm", "gru", "last-step");
    static final List<String> RECURRENT = List.of("rnn", "lstm", "gru");
    static final List<String> OPTIMIZERS = List.of("sgd", "adam", "adamw");
    static final List<String> SCHEDULES = List.of("constant", "step", "cosine", "warmup");
    static final List<String> CLIPS = List.of("none", "norm", "value", "per-layer", "agc");
    static final List<String> DATA = List.of("teacher-regression", "teacher-classification", "two-spirals", "parity",
            "fashion-mnist", "adding", "copy");
    static final int FASHION_MNIST_INPUTS = 784;
    static final int FASHION_MNIST_CLASSES = 10;
    static final int DEFAULT_TEST_SIZE = 2000;

    private static final ObjectMapper YAML = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private ModelFileReader() {
    }

    static ModelFile read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("model file " + file + " does not exist");
        String text = Files.readString(file);
        String fileName = file.getFileName().toString();
        String base = fileName.replaceFirst("\\.(ya?ml|json)$", "");
        try {
            return parse(text, fileName.endsWith(".json"), base);
        } catch (ModelFileException e) {
            throw e.in(file.toString());
        }
    }

    static ModelFile parse(String text, boolean json, String defaultName) {
        JsonNode root;
        try {
            root = (json ? JSON : YAML).readTree(text);
        } catch (JsonProcessingException e) {
            throw new ModelFileException("", "not valid " + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        }
        if (root == null || root.isMissingNode() || root.isNull()) throw new ModelFileException("", "empty model file");
        Obj top = Obj.of(root, "", Set.of("name", "seed", "input", "layers", "loss", "optimizer", "schedule", "clip", "data",
                "batch", "steps", "epochs", "labels"));

        String name = top.string("name", defaultName);
        long seed = top.longValue("seed", 1);
        int input = top.intAtLeast("input", 1);
        String loss = top.oneOf("loss", LOSSES, null);

        JsonNode layersNode = top.required("layers");
        if (!layersNode.isArray() || layersNode.isEmpty()) {
            throw new ModelFileException("layers", "expected a non-empty list of layers, got " + shown(layersNode));
        }
        LayerWalk walk = new LayerWalk();
        List<LayerSpec> layers = walk.list(layersNode, "layers", input);
        int output = walk.width;

        OptimizerSpec optimizer = optimizer(top.object("optimizer", Set.of("type", "lr", "momentum", "nesterov",
                "weight-decay", "beta1", "beta2", "eps")));
        ScheduleSpec schedule = top.has("schedule") ? schedule(top.node("schedule"), "schedule") : new ModelFile.ConstantSchedule();
        ClipSpec clip = top.has("clip") ? clip(top.node("clip"), "clip") : new ClipSpec("none", Double.POSITIVE_INFINITY, 0);
        DataSpec data = data(top.object("data", Set.of("type", "path", "normalize", "bits", "turns", "noise", "test-size",
                "time-steps", "symbols", "length", "delay")));
        int batch = top.intAtLeast("batch", 1);
        if (batch < 2 && hasBatchNorm(layers)) {
            throw new ModelFileException("batch", "expected at least 2 with batchnorm layers (they normalize over the batch), got " + batch);
        }

        boolean hasSteps = top.has("steps"), hasEpochs = top.has("epochs");
        if (hasSteps == hasEpochs) {
            throw new ModelFileException(hasSteps ? "epochs" : "steps", "expected exactly one of steps, epochs");
        }
        long steps = hasSteps ? top.longAtLeast("steps", 1) : 0;
        int epochs = hasEpochs ? top.intAtLeast("epochs", 1) : 0;
        if (hasEpochs && !data.type().equals("fashion-mnist")) {
            throw new ModelFileException("epochs", "data " + data.type() + " is an endless stream; give steps instead");
        }

        checkSequence(data, layers);
        checkDataFits(data, input, output, loss, layers);
        Map<String, String> labels = labels(top);
        return new ModelFile(name, input, layers, output, loss, optimizer, schedule, clip, data, batch, seed, steps, epochs,
                labels);
    }

    /** The optional {@code labels} mapping: string (or number, read as text) values, bounded as statistics carry them. */
    private static Map<String, String> labels(Obj top) {
        if (!top.has("labels")) return Map.of();
        JsonNode node = top.node("labels");
        if (!node.isObject()) throw new ModelFileException("labels", "expected a mapping of label names to values, got " + shown(node));
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!v.isValueNode() || v.isNull()) {
                throw new ModelFileException("labels." + e.getKey(), "expected a string, got " + shown(v));
            }
            labels.put(e.getKey(), v.asText());
        }
        try {
            return dev.gradwatch.events.StepStats.checkLabels(labels);
        } catch (IllegalArgumentException e) {
            // "labels: at most …" or "labels.team: value …": keep the field path the message starts with
            String m = e.getMessage();
            int colon = m.indexOf(": ");
            throw new ModelFileException(colon > 0 ? m.substring(0, colon) : "labels", colon > 0 ? m.substring(colon + 2) : m);
        }
    }

    /**
     * Recurrent layers need a sequence data set and a sequence data set needs one; last-step comes
     * once, after a recurrent layer, and only when the data set scores the end of the sequence.
     */
    private static void checkSequence(DataSpec data, List<LayerSpec> layers) {
        int firstRecurrent = -1, lastStep = -1;
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec l = layers.get(i);
            String path = "layers[" + i + "]";
            if (l instanceof ModelFile.Recurrent r) {
                if (!data.sequence()) {
                    throw new ModelFileException(path + ".type", r.cell() + " is a recurrent layer and needs a sequence data set "
                            + "(adding or copy); data is " + data.type());
                }
                if (lastStep >= 0) {
                    throw new ModelFileException(path, "expected a sequence for " + r.cell() + ", but layers[" + lastStep
                            + "] (last-step) already kept only the last time step");
                }
                if (firstRecurrent < 0) firstRecurrent = i;
            } else if (l instanceof ModelFile.LastStep) {
                if (firstRecurrent < 0) {
                    throw new ModelFileException(path, "last-step keeps the last time step of a sequence; expected it after a "
                            + "recurrent layer (rnn, lstm or gru)");
                }
                if (lastStep >= 0) {
                    throw new ModelFileException(path, "expected one last-step; layers[" + lastStep + "] already kept only the last time step");
                }
                lastStep = i;
            }
        }
        if (!data.sequence()) return;
        if (firstRecurrent < 0) {
            throw new ModelFileException("data.type", data.type() + " is a sequence task; expected a recurrent layer (rnn, lstm or gru) in layers");
        }
        if (data.targetsEveryTimeStep() && lastStep >= 0) {
            throw new ModelFileException("layers[" + lastStep + "]", data.type() + " scores every time step; expected no last-step "
                    + "(the layers after the recurrent one read every hidden state)");
        }
        if (!data.targetsEveryTimeStep() && lastStep < 0) {
            throw new ModelFileException("layers", data.type() + " scores the end of each sequence; expected a {type: last-step} "
                    + "after the recurrent layers");
        }
    }

    /** The data set's shape and targets against the model's input, output and loss. */
    private static void checkDataFits(DataSpec data, int input, int output, String loss, List<LayerSpec> layers) {
        String lastLayer = "layers[" + (layers.size() - 1) + "]";
        switch (data.type()) {
            case "fashion-mnist" -> {
                if (input != FASHION_MNIST_INPUTS) {
                    throw new ModelFileException("input", "expected 784 for fashion-mnist (28×28 pixels), got " + input);
                }
                if (output != FASHION_MNIST_CLASSES) {
                    throw new ModelFileException(lastLayer, "expected the model to end with 10 outputs for fashion-mnist, got " + output);
                }
            }
            case "two-spirals", "parity" -> {
                int expectedInput = data.type().equals("parity") ? data.bits() : 2;
                if (input != expectedInput) {
                    throw new ModelFileException("input", "expected " + expectedInput + " for " + data.type() + ", got " + input);
                }
                if (output != 1 && output != 2) {
                    throw new ModelFileException(lastLayer, "expected the model to end with 1 output (class 0/1) or 2 (one-hot) for "
                            + data.type() + ", got " + output);
                }
                if (loss.equals("softmax-ce") && output != 2) {
                    throw new ModelFileException("loss", "softmax-ce needs 2 outputs for " + data.type() + ", the model has " + output);
                }
            }
            case "adding" -> {
                if (input != 2) throw new ModelFileException("input", "expected 2 for adding (a value and a marker per step), got " + input);
                if (output != 1) throw new ModelFileException(lastLayer, "expected the model to end with 1 output (the sum) for adding, got " + output);
                if (!loss.equals("mse")) throw new ModelFileException("loss", "adding has a real-valued target; expected mse, got " + loss);
            }
            case "copy" -> {
                int expectedInput = data.symbols() + 2, classes = data.symbols() + 1;
                if (input != expectedInput) {
                    throw new ModelFileException("input", "expected " + expectedInput + " for copy with " + data.symbols()
                            + " symbols (one-hot: blank, the symbols, the delimiter), got " + input);
                }
                if (output != classes) {
                    throw new ModelFileException(lastLayer, "expected the model to end with " + classes + " outputs for copy with "
                            + data.symbols() + " symbols (blank and the symbols), got " + output);
                }
                if (!loss.equals("softmax-ce")) {
                    throw new ModelFileException("loss", "copy has one class per time step; expected softmax-ce, got " + loss);
                }
            }
            case "teacher-classification" -> {
                if (loss.equals("softmax-ce")) {
                    throw new ModelFileException("loss", "teacher-classification gives independent 0/1 targets, not one class per "
                            + "sample; expected bce or mse, got softmax-ce");
                }
            }
            default -> {
                if (!loss.equals("mse")) {
                    throw new ModelFileException("loss", "teacher-regression has real-valued targets; expected mse, got " + loss);
                }
            }
        }
        if (loss.equals("softmax-ce") && output < 2) {
            throw new ModelFileException("loss", "softmax-ce needs at least 2 outputs, the model has " + output);
        }
    }

    private static boolean hasBatchNorm(List<LayerSpec> layers) {
        for (LayerSpec l : layers) {
            if (l instanceof ModelFile.BatchNorm) return true;
            if (l instanceof ModelFile.Residual r && hasBatchNorm(r.layers())) return true;
        }
        return false;
    }

    /** Walks a layer list keeping track of the width. */
    private static final class LayerWalk {
        int width;

        /** Inside a residual branch, where recurrent and last-step layers are not allowed. */
        boolean inResidual;

        List<LayerSpec> list(JsonNode array, String path, int inputWidth) {
            width = inputWidth;
            List<LayerSpec> out = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) out.add(layer(array.get(i), path + "[" + i + "]"));
            return out;
        }

        LayerSpec layer(JsonNode node, String path) {
            if (!node.isObject()) throw new ModelFileException(path, "expected a layer such as {type: dense, size: 64}, got " + shown(node));
            JsonNode typeNode = node.get("type");
            if (typeNode == null) throw new ModelFileException(path + ".type", "missing; expected one of " + String.join(", ", LAYER_TYPES));
            String type = oneOf(typeNode, path + ".type", LAYER_TYPES);
            if (inResidual && (RECURRENT.contains(type) || type.equals("last-step"))) {
                throw new ModelFileException(path + ".type", type + " is not allowed inside a residual block; expected it in the "
                        + "top-level layers");
            }
            switch (type) {
                case "rnn":
                case "gru": {
                    Obj o = Obj.of(node, path, Set.of("type", "size"));
                    int size = o.intAtLeast("size", 1);
                    width = size;
                    return new ModelFile.Recurrent(type, size, Double.NaN);
                }
                case "lstm": {
                    Obj o = Obj.of(node, path, Set.of("type", "size", "forget-bias"));
                    int size = o.intAtLeast("size", 1);
                    double forgetBias = o.number("forget-bias", 1.0);
                    width = size;
                    return new ModelFile.Recurrent(type, size, forgetBias);
                }
                case "last-step": {
                    Obj.of(node, path, Set.of("type"));
                    return new ModelFile.LastStep();
                }
                case "dense": {
                    Obj o = Obj.of(node, path, Set.of("type", "size", "activation", "init"));
                    int size = o.intAtLeast("size", 1);
                    Activation f = o.has("activation") ? activation(o.node("activation"), path + ".activation") : Activation.LINEAR;
                    Init init = o.has("init") ? init(o.node("init"), path + ".init") : new Init.PytorchDefault();
                    width = size;
                    return new ModelFile.Dense(size, f, init);
                }
                case "activation": {
                    Obj o = Obj.of(node, path, Set.of("type", "activation"));
                    return new ModelFile.ActivationOnly(activation(o.required("activation"), path + ".activation"));
                }
                case "batchnorm": {
                    Obj o = Obj.of(node, path, Set.of("type", "eps", "momentum"));
                    double eps = o.positive("eps", 1e-5);
                    double momentum = o.number("momentum", 0.1);
                    if (!(momentum > 0 && momentum <= 1)) throw new ModelFileException(path + ".momentum", "expected a number in (0, 1], got " + momentum);
                    return new ModelFile.BatchNorm(eps, momentum);
                }
                case "layernorm": {
                    Obj o = Obj.of(node, path, Set.of("type", "eps"));
                    return new ModelFile.LayerNorm(o.positive("eps", 1e-5));
                }
                case "dropout": {
                    Obj o = Obj.of(node, path, Set.of("type", "p"));
                    double p = o.number("p", Double.NaN);
                    if (!(p >= 0 && p < 1)) throw new ModelFileException(path + ".p", "expected a drop probability in [0, 1), got " + shown(o.node("p")));
                    return new ModelFile.Dropout(p);
                }
                case "prelu": {
                    Obj o = Obj.of(node, path, Set.of("type", "shared", "init"));
                    return new ModelFile.PRelu(o.bool("shared", false), o.number("init", 0.25));
                }
                case "softmax": {
                    Obj.of(node, path, Set.of("type"));
                    return new ModelFile.Softmax();
                }
                default: { // residual
                    Obj o = Obj.of(node, path, Set.of("type", "scale", "layers"));
                    double scale = o.number("scale", 1.0);
                    JsonNode inner = o.required("layers");
                    if (!inner.isArray() || inner.isEmpty()) {
                        throw new ModelFileException(path + ".layers", "expected a non-empty list of layers, got " + shown(inner));
                    }
                    int before = width;
                    LayerWalk branchWalk = new LayerWalk();
                    branchWalk.inResidual = true;
                    List<LayerSpec> branch = branchWalk.listFrom(inner, path + ".layers", before);
                    return new ModelFile.Residual(scale, branch);
                }
            }
        }

        private List<LayerSpec> listFrom(JsonNode array, String path, int inputWidth) {
            List<LayerSpec> out = list(array, path, inputWidth);
            if (width != inputWidth) {
                throw new ModelFileException(path, "a residual branch must keep the width: it starts with " + inputWidth
                        + " features and ends with " + width);
            }
            return out;
        }
    }

    private static OptimizerSpec optimizer(Obj o) {
        String type = o.oneOf("type", OPTIMIZERS, null);
        double lr = o.positive("lr", Double.NaN);
        if (type.equals("sgd")) {
            o.only("type", "lr", "momentum", "nesterov", "weight-decay");
            double momentum = o.number("momentum", 0);
            if (!(momentum >= 0 && momentum < 1)) throw new ModelFileException(o.path("momentum"), "expected a number in [0, 1), got " + momentum);
            boolean nesterov = o.bool("nesterov", false);
            if (nesterov && momentum == 0) throw new ModelFileException(o.path("nesterov"), "Nesterov momentum needs momentum > 0");
            return new OptimizerSpec(type, lr, momentum, nesterov, o.nonNegative("weight-decay", 0), 0, 0, 0);
        }
        o.only("type", "lr", "beta1", "beta2", "eps", "weight-decay");
        double beta1 = o.number("beta1", 0.9), beta2 = o.number("beta2", 0.999);
        if (!(beta1 >= 0 && beta1 < 1)) throw new ModelFileException(o.path("beta1"), "expected a number in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new ModelFileException(o.path("beta2"), "expected a number in [0, 1), got " + beta2);
        // PyTorch's defaults: Adam no decay, AdamW 0.01
        double decay = o.nonNegative("weight-decay", type.equals("adamw") ? 0.01 : 0);
        return new OptimizerSpec(type, lr, 0, false, decay, beta1, beta2, o.positive("eps", 1e-8));
    }

    private static ScheduleSpec schedule(JsonNode node, String path) {
        if (node.isTextual()) {
            String type = oneOf(node, path, SCHEDULES);
            return switch (type) {
                case "constant" -> new ModelFile.ConstantSchedule();
                case "cosine" -> new ModelFile.CosineSchedule(0, 0);
                default -> throw new ModelFileException(path, type + " needs settings; expected {type: " + type
                        + (type.equals("step") ? ", step-size: N, gamma: G}" : ", steps: N, then: SCHEDULE}"));
            };
        }
        Obj o = Obj.of(node, path, Set.of("type", "step-size", "gamma", "steps", "min-factor", "then"));
        String type = o.oneOf("type", SCHEDULES, null);
        switch (type) {
            case "constant":
                o.only("type");
                return new ModelFile.ConstantSchedule();
            case "step": {
                o.only("type", "step-size", "gamma");
                long size = o.longAtLeast("step-size", 1);
                double gamma = o.number("gamma", Double.NaN);
                if (!(gamma > 0 && gamma <= 1)) throw new ModelFileException(o.path("gamma"), "expected a number in (0, 1], got " + shown(o.node("gamma")));
                return new ModelFile.StepSchedule(size, gamma);
            }
            case "cosine": {
                o.only("type", "steps", "min-factor");
                long steps = o.has("steps") ? o.longAtLeast("steps", 1) : 0;
                double min = o.number("min-factor", 0);
                if (!(min >= 0 && min <= 1)) throw new ModelFileException(o.path("min-factor"), "expected a number in [0, 1], got " + min);
                return new ModelFile.CosineSchedule(steps, min);
            }
            default: {
                o.only("type", "steps", "then");
                long steps = o.longAtLeast("steps", 1);
                ScheduleSpec then = o.has("then") ? schedule(o.node("then"), o.path("then")) : new ModelFile.ConstantSchedule();
                return new ModelFile.WarmupSchedule(steps, then);
            }
        }
    }

    private static ClipSpec clip(JsonNode node, String path) {
        if (node.isTextual()) {
            String type = oneOf(node, path, CLIPS);
            if (!type.equals("none")) {
                throw new ModelFileException(path, type + " needs a threshold; expected {type: " + type
                        + (type.equals("agc") ? ", lambda: 0.01}" : ", max: 1.0}"));
            }
            return new ClipSpec("none", Double.POSITIVE_INFINITY, 0);
        }
        Obj o = Obj.of(node, path, Set.of("type", "max", "lambda", "eps"));
        String type = o.oneOf("type", CLIPS, null);
        return switch (type) {
            case "none" -> {
                o.only("type");
                yield new ClipSpec("none", Double.POSITIVE_INFINITY, 0);
            }
            case "agc" -> {
                o.only("type", "lambda", "eps");
                yield new ClipSpec("agc", o.positive("lambda", Double.NaN), o.positive("eps", 1e-3));
            }
            default -> {
                o.only("type", "max");
                yield new ClipSpec(type, o.positive("max", Double.NaN), 0);
            }
        };
    }

    private static DataSpec data(Obj o) {
        String type = o.oneOf("type", DATA, null);
        switch (type) {
            case "fashion-mnist":
                o.only("type", "path", "normalize");
                return new DataSpec(type, Path.of(o.string("path", LabeledImages.DEBIAN_FASHION_MNIST.toString())), 0, 0, 0, 0,
                        o.bool("normalize", false));
            case "parity": {
                o.only("type", "bits", "test-size");
                int bits = o.intAtLeast("bits", 1);
                if (bits > 62) throw new ModelFileException(o.path("bits"), "expected at most 62 bits, got " + bits);
                return new DataSpec(type, null, bits, 0, 0, testSize(o), false);
            }
            case "two-spirals":
                o.only("type", "turns", "noise", "test-size");
                return new DataSpec(type, null, 0, o.positive("turns", 1.5), o.nonNegative("noise", 0), testSize(o), false);
            case "adding": {
                o.only("type", "time-steps", "test-size");
                int t = o.intAtLeast("time-steps", 2);
                return new DataSpec(type, null, 0, 0, 0, testSize(o), false, t, 0, 0, 0);
            }
            case "copy": {
                o.only("type", "symbols", "length", "delay", "test-size");
                int symbols = o.intAtLeast("symbols", 1), length = o.intAtLeast("length", 1), delay = o.intAtLeast("delay", 1);
                return new DataSpec(type, null, 0, 0, 0, testSize(o), false, 0, symbols, length, delay);
            }
            default:
                o.only("type", "test-size");
                return new DataSpec(type, null, 0, 0, 0, testSize(o), false);
        }
    }

    /** {@code test-size} of a synthetic data set: a whole number >= 1, {@value #DEFAULT_TEST_SIZE} when absent. */
    private static int testSize(Obj o) {
        return o.has("test-size") ? o.intAtLeast("test-size", 1) : DEFAULT_TEST_SIZE;
    }

    private static Activation activation(JsonNode node, String path) {
        if (!node.isTextual()) throw new ModelFileException(path, "expected an activation name such as relu, got " + shown(node));
        try {
            return Activation.of(node.asText());
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(path, e.getMessage().replace("activation must be one of ", "expected one of "));
        }
    }

    private static Init init(JsonNode node, String path) {
        if (!node.isTextual()) throw new ModelFileException(path, "expected an initializer such as he-normal, got " + shown(node));
        try {
            return Init.parse(node.asText());
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(path, e.getMessage().replace("init must be one of ", "expected one of "));
        }
    }

    private static String oneOf(JsonNode node, String path, List<String> allowed) {
        if (node.isTextual() && allowed.contains(node.asText())) return node.asText();
        throw new ModelFileException(path, "expected one of " + String.join(", ", allowed) + "; got " + shown(node));
    }

    /** A value as the file spelt it: strings quoted, numbers and lists as JSON. */
    static String shown(JsonNode node) {
        if (node == null || node.isMissingNode()) return "nothing";
        return node.toString();
    }

    /** An object node at a path, with typed getters that name the field in their errors. */
    private record Obj(JsonNode node, String at) {

        static Obj of(JsonNode node, String path, Set<String> known) {
            if (node == null || !node.isObject()) {
                throw new ModelFileException(path, "expected a mapping of fields, got " + shown(node));
            }
            Obj o = new Obj(node, path);
            o.onlyOf(known);
            return o;
        }

        String path(String key) {
            return at.isEmpty() ? key : at + "." + key;
        }

        boolean has(String key) {
            return node.has(key) && !node.get(key).isNull();
        }

        JsonNode node(String key) {
            return node.get(key);
        }

        JsonNode required(String key) {
            if (!has(key)) throw new ModelFileException(path(key), "missing");
            return node.get(key);
        }

        Obj object(String key, Set<String> known) {
            return Obj.of(required(key), path(key), known);
        }

        void only(String... keys) {
            onlyOf(Set.of(keys));
        }

        private void onlyOf(Set<String> known) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!known.contains(key)) {
                    List<String> sorted = known.stream().sorted().toList();
                    String what = node.has("type") && node.get("type").isTextual() ? " for " + node.get("type").asText() : "";
                    throw new ModelFileException(path(key), "unknown field" + what + "; expected one of " + String.join(", ", sorted));
                }
            }
        }

        String oneOf(String key, List<String> allowed, String dflt) {
            if (!has(key)) {
                if (dflt != null) return dflt;
                throw new ModelFileException(path(key), "missing; expected one of " + String.join(", ", allowed));
            }
            return ModelFileReader.oneOf(node.get(key), path(key), allowed);
        }

        String string(String key, String dflt) {
            if (!has(key)) return dflt;
            JsonNode v = node.get(key);
            if (!v.isTextual() || v.asText().isBlank()) throw new ModelFileException(path(key), "expected a non-empty string, got " + shown(v));
            return v.asText();
        }

        boolean bool(String key, boolean dflt) {
            if (!has(key)) return dflt;
            JsonNode v = node.get(key);
            if (!v.isBoolean()) throw new ModelFileException(path(key), "expected true or false, got " + shown(v));
            return v.asBoolean();
        }

        /** A number; YAML may hand over 1e-3 as text, which is accepted when it parses. NaN default: required. */
        double number(String key, double dflt) {
            if (!has(key)) {
                if (Double.isNaN(dflt)) throw new ModelFileException(path(key), "missing; expected a number");
                return dflt;
            }
            JsonNode v = node.get(key);
            double x;
            if (v.isNumber()) {
                x = v.asDouble();
            } else if (v.isTextual()) {
                try {
                    x = Double.parseDouble(v.asText().trim());
                } catch (NumberFormatException e) {
                    throw new ModelFileException(path(key), "expected a number, got " + shown(v));
                }
            } else {
                throw new ModelFileException(path(key), "expected a number, got " + shown(v));
            }
            if (!Double.isFinite(x)) throw new ModelFileException(path(key), "expected a finite number, got " + shown(v));
            return x;
        }

        double positive(String key, double dflt) {
            double x = number(key, dflt);
            if (!(x > 0)) throw new ModelFileException(path(key), "expected a number > 0, got " + shown(node.get(key)));
            return x;
        }

        double nonNegative(String key, double dflt) {
            double x = number(key, dflt);
            if (!(x >= 0)) throw new ModelFileException(path(key), "expected a number >= 0, got " + shown(node.get(key)));
            return x;
        }

        long longValue(String key, long dflt) {
            if (!has(key)) return dflt;
            JsonNode v = node.get(key);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new ModelFileException(path(key), "expected a whole number, got " + shown(v));
            }
            return v.asLong();
        }

        long longAtLeast(String key, long min) {
            JsonNode v = required(key);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min) {
                throw new ModelFileException(path(key), "expected a whole number >= " + min + ", got " + shown(v));
            }
            return v.asLong();
        }

        int intAtLeast(String key, int min) {
            JsonNode v = required(key);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min) {
                throw new ModelFileException(path(key), "expected a whole number >= " + min + ", got " + shown(v));
            }
            return v.asInt();
        }
    }
}
