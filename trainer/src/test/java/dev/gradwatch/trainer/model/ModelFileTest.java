package dev.gradwatch.trainer.model;

import dev.gradwatch.trainer.nn.Activation;
import dev.gradwatch.trainer.nn.Init;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class ModelFileTest {

    /** A valid YAML model; the error cases below each break one field of it. */
    static final String VALID = """
            name: small
            seed: 5
            input: 4
            layers:
              - {type: dense, size: 8, activation: tanh, init: xavier-uniform}
              - {type: batchnorm, eps: 1.0e-4, momentum: 0.2}
              - type: residual
                scale: 0.5
                layers:
                  - {type: layernorm}
                  - {type: dense, size: 8, activation: "leaky-relu:0.1", init: he-normal}
                  - {type: dropout, p: 0.2}
              - {type: prelu, shared: true}
              - {type: activation, activation: gelu}
              - {type: dense, size: 1}
            loss: mse
            optimizer: {type: sgd, lr: 0.05, momentum: 0.9, nesterov: true, weight-decay: 1e-4}
            schedule: {type: warmup, steps: 10, then: {type: step, step-size: 100, gamma: 0.5}}
            clip: {type: per-layer, max: 2.0}
            data: {type: teacher-regression, test-size: 100}
            batch: 16
            steps: 50
            """;

    private static ModelFile yaml(String text) {
        return ModelFile.parse(text, false, "from-test");
    }

    private static ModelFileException error(String text) {
        return assertThrows(ModelFileException.class, () -> yaml(text));
    }

    @Test
    void readsEveryKindOfLayerAndSetting() {
        ModelFile f = yaml(VALID);
        assertEquals("small", f.name());
        assertEquals(5, f.seed());
        assertEquals(4, f.input());
        assertEquals(1, f.output());
        assertEquals(6, f.layers().size());
        assertEquals(new ModelFile.Dense(8, Activation.TANH, new Init.XavierUniform()), f.layers().get(0));
        assertEquals(new ModelFile.BatchNorm(1e-4, 0.2), f.layers().get(1));
        ModelFile.Residual res = (ModelFile.Residual) f.layers().get(2);
        assertEquals(0.5, res.scale());
        assertEquals(3, res.layers().size());
        assertEquals(new ModelFile.LayerNorm(1e-5), res.layers().get(0));
        assertEquals(Activation.of("leaky-relu:0.1").name(), ((ModelFile.Dense) res.layers().get(1)).activation().name());
        assertEquals(new ModelFile.Dropout(0.2), res.layers().get(2));
        assertEquals(new ModelFile.PRelu(true, 0.25), f.layers().get(3));
        assertEquals(new ModelFile.ActivationOnly(Activation.GELU), f.layers().get(4));
        assertEquals(new ModelFile.Dense(1, Activation.LINEAR, new Init.PytorchDefault()), f.layers().get(5));
        assertEquals(new ModelFile.OptimizerSpec("sgd", 0.05, 0.9, true, 1e-4, 0, 0, 0), f.optimizer());
        assertEquals(new ModelFile.WarmupSchedule(10, new ModelFile.StepSchedule(100, 0.5)), f.schedule());
        assertEquals(new ModelFile.ClipSpec("per-layer", 2.0, 0), f.clip());
        assertEquals("teacher-regression", f.data().type());
        assertEquals(100, f.data().testSize());
        assertEquals(16, f.batch());
        assertEquals(50, f.steps());
        assertEquals(0, f.epochs());
    }

    @Test
    void readsJsonAndFillsTheDefaults() {
        ModelFile f = ModelFile.parse("""
                {"input": 8, "layers": [{"type": "dense", "size": 2}], "loss": "softmax-ce",
                 "optimizer": {"type": "adamw", "lr": 0.001}, "data": {"type": "parity", "bits": 8},
                 "batch": 4, "steps": 3}
                """, true, "parity-default");
        assertEquals("parity-default", f.name());
        assertEquals(1, f.seed());
        assertEquals(new ModelFile.OptimizerSpec("adamw", 0.001, 0, false, 0.01, 0.9, 0.999, 1e-8), f.optimizer());
        assertEquals(new ModelFile.ConstantSchedule(), f.schedule());
        assertEquals("none", f.clip().type());
        assertEquals(2000, f.data().testSize());
    }

    @Test
    void everyShippedExampleParses() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("..", "examples", "models"))) {
            files = s.filter(p -> p.toString().matches(".*\\.(ya?ml|json)$")).sorted().toList();
        }
        assertTrue(files.size() >= 5, "examples: " + files);
        for (Path p : files) assertNotNull(ModelFile.read(p), p.toString());
        ModelFile mlp = ModelFile.read(Path.of("..", "examples", "models", "fashion-mnist-mlp.yaml"));
        assertEquals(List.of(256, 128, 10), mlp.layers().stream().filter(l -> l instanceof ModelFile.Dense)
                .map(l -> ((ModelFile.Dense) l).size()).toList());
        assertEquals(new ModelFile.Dense(256, Activation.RELU, new Init.HeNormal()), mlp.layers().get(0));
        assertEquals("adam", mlp.optimizer().type());
        assertEquals(1e-3, mlp.optimizer().lr());
        assertEquals(128, mlp.batch());
        assertEquals(5, mlp.epochs());
        assertEquals("softmax-ce", mlp.loss());
    }

    @Test
    void theFileNameComesFirstInTheMessageOfAFileOnDisk() throws IOException {
        Path tmp = Files.createTempFile("bad-model", ".yaml");
        try {
            Files.writeString(tmp, VALID.replace("activation: tanh", "activation: sigmoud"));
            ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.read(tmp));
            assertTrue(e.getMessage().startsWith(tmp + ": layers[0].activation: expected one of sigmoid, tanh, relu"), e.getMessage());
            assertEquals("layers[0].activation", e.field());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** One broken field, the path the error must name, and a piece of what it must say. */
    record Case(String from, String to, String field, String says) {
    }

    static Stream<Case> errors() {
        return Stream.of(
                new Case("activation: tanh", "activation: sigmoud", "layers[0].activation",
                        "expected one of sigmoid, tanh, relu, leaky-relu:<slope>, elu, elu:<α>, gelu, gelu-tanh, linear; got \"sigmoud\""),
                new Case("\"leaky-relu:0.1\"", "\"leaky-relu:x\"", "layers[2].layers[1].activation", "leaky-relu:<slope>"),
                new Case("init: xavier-uniform", "init: xavier", "layers[0].init", "expected one of pytorch-default"),
                new Case("init: xavier-uniform", "init: 3", "layers[0].init", "expected an initializer"),
                new Case("size: 8, activation: tanh", "size: 0, activation: tanh", "layers[0].size", "expected a whole number >= 1, got 0"),
                new Case("size: 8, activation: tanh", "size: eight, activation: tanh", "layers[0].size", "got \"eight\""),
                new Case("size: 8, activation: tanh", "sise: 8, activation: tanh", "layers[0].sise",
                        "unknown field for dense; expected one of activation, init, size, type"),
                new Case("{type: batchnorm, eps", "{type: batchnrm, eps", "layers[1].type", "expected one of dense, batchnorm, layernorm"),
                new Case("momentum: 0.2}", "momentum: 1.5}", "layers[1].momentum", "expected a number in (0, 1]"),
                new Case("{type: dropout, p: 0.2}", "{type: dropout, p: 1}", "layers[2].layers[2].p", "drop probability in [0, 1)"),
                new Case("{type: dropout, p: 0.2}", "{type: dropout}", "layers[2].layers[2].p", "missing"),
                new Case("{type: dense, size: 8, activation: \"leaky", "{type: dense, size: 6, activation: \"leaky",
                        "layers[2].layers", "must keep the width: it starts with 8 features and ends with 6"),
                new Case("{type: prelu, shared: true}", "{type: prelu, shared: yes please}", "layers[3].shared", "expected true or false"),
                new Case("{type: activation, activation: gelu}", "{type: activation}", "layers[4].activation", "missing"),
                new Case("  - {type: dense, size: 1}\n", "  - {size: 1}\n", "layers[5].type", "missing; expected one of dense"),
                new Case("  - {type: dense, size: 1}\n", "  - 7\n", "layers[5]", "expected a layer"),
                new Case("input: 4", "input: -4", "input", "expected a whole number >= 1"),
                new Case("input: 4\n", "", "input", "missing"),
                new Case("loss: mse", "loss: hinge", "loss", "expected one of mse, bce, softmax-ce; got \"hinge\""),
                new Case("loss: mse", "loss: bce", "loss", "teacher-regression has real-valued targets"),
                new Case("type: sgd, lr: 0.05", "type: rmsprop, lr: 0.05", "optimizer.type", "expected one of sgd, adam, adamw"),
                new Case("lr: 0.05", "lr: -1", "optimizer.lr", "expected a number > 0, got -1"),
                new Case("lr: 0.05", "lr: fast", "optimizer.lr", "expected a number, got \"fast\""),
                new Case("momentum: 0.9, nesterov", "momentum: 1.0, nesterov", "optimizer.momentum", "in [0, 1)"),
                new Case("momentum: 0.9, nesterov: true", "nesterov: true", "optimizer.nesterov", "needs momentum > 0"),
                new Case("type: sgd, lr: 0.05, momentum: 0.9, nesterov: true, weight-decay: 1e-4", "type: adam, lr: 0.05, momentum: 0.9",
                        "optimizer.momentum", "unknown field for adam"),
                new Case("weight-decay: 1e-4", "weight-decay: -1", "optimizer.weight-decay", ">= 0"),
                new Case("optimizer: {", "optimiser: {", "optimiser", "unknown field; expected one of"),
                new Case("then: {type: step, step-size: 100, gamma: 0.5}", "then: {type: step, step-size: 100, gamma: 2}",
                        "schedule.then.gamma", "in (0, 1]"),
                new Case("then: {type: step, step-size: 100, gamma: 0.5}", "then: step", "schedule.then", "step needs settings"),
                new Case("{type: warmup, steps: 10,", "{type: linear, steps: 10,", "schedule.type", "expected one of constant, step, cosine, warmup"),
                new Case("{type: warmup, steps: 10,", "{type: warmup, steps: 0,", "schedule.steps", ">= 1"),
                new Case("clip: {type: per-layer, max: 2.0}", "clip: {type: norm}", "clip.max", "missing"),
                new Case("clip: {type: per-layer, max: 2.0}", "clip: {type: norm, max: 0}", "clip.max", "expected a number > 0"),
                new Case("clip: {type: per-layer, max: 2.0}", "clip: {type: agc, max: 1}", "clip.max", "unknown field for agc"),
                new Case("clip: {type: per-layer, max: 2.0}", "clip: always", "clip", "expected one of none, norm, value, per-layer, agc"),
                new Case("{type: teacher-regression, test-size: 100}", "{type: cifar}", "data.type", "expected one of teacher-regression"),
                new Case("{type: teacher-regression, test-size: 100}", "{type: parity, bits: 5}", "input", "expected 5 for parity, got 4"),
                new Case("{type: teacher-regression, test-size: 100}", "{type: fashion-mnist}", "input", "expected 784 for fashion-mnist"),
                new Case("{type: teacher-regression, test-size: 100}", "{type: teacher-regression, path: /x}", "data.path",
                        "unknown field for teacher-regression"),
                new Case("batch: 16", "batch: 1.5", "batch", "expected a whole number >= 1, got 1.5"),
                new Case("batch: 16", "batch: 1", "batch", "expected at least 2 with batchnorm layers"),
                new Case("steps: 50", "epochs: 2", "epochs", "endless stream; give steps instead"),
                new Case("steps: 50", "steps: 50\nepochs: 2", "epochs", "expected exactly one of steps, epochs"),
                new Case("steps: 50\n", "", "steps", "expected exactly one of steps, epochs"),
                new Case("seed: 5", "seed: five", "seed", "expected a whole number"),
                new Case("name: small", "name: small\nname: again", "", "Duplicate field 'name'"));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void anInvalidFileNamesTheFieldAndWhatWasExpected(Case c) {
        assertTrue(VALID.contains(c.from()), "fixture must contain " + c.from());
        ModelFileException e = error(VALID.replace(c.from(), c.to()));
        assertEquals(c.field(), e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(c.field().isEmpty() ? "" : c.field() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(c.says()), e.getMessage());
    }

    @Test
    void aSoftmaxCeModelNeedsOneHotTargetsAndTwoOutputs() {
        String spirals = """
                input: 2
                layers: [{type: dense, size: 1}]
                loss: softmax-ce
                optimizer: {type: adam, lr: 0.01}
                data: {type: two-spirals}
                batch: 8
                steps: 1
                """;
        assertEquals("loss", error(spirals).field());
        ModelFileException tooMany = error(spirals.replace("size: 1", "size: 3").replace("softmax-ce", "bce"));
        assertEquals("layers[0]", tooMany.field());
        assertTrue(tooMany.getMessage().contains("1 output (class 0/1) or 2 (one-hot) for two-spirals, got 3"), tooMany.getMessage());
        ModelFileException none = error(spirals.replace("layers: [{type: dense, size: 1}]", "layers: []"));
        assertEquals("layers", none.field());
        assertTrue(none.getMessage().contains("expected a non-empty list of layers"), none.getMessage());
        String teacher = spirals.replace("input: 2", "input: 3").replace("size: 1", "size: 3")
                .replace("two-spirals", "teacher-classification");
        assertTrue(error(teacher).getMessage().contains("teacher-classification gives independent 0/1 targets"));
    }

    @Test
    void syntaxErrorsSayWhichLine() {
        ModelFileException e = error("input: 4\nlayers: [\n");
        assertTrue(e.getMessage().contains("not valid YAML"), e.getMessage());
        assertTrue(e.getMessage().contains("line"), e.getMessage());
        assertTrue(assertThrows(ModelFileException.class, () -> ModelFile.parse("{\"input\": 4,", true, "x"))
                .getMessage().contains("not valid JSON"));
        assertTrue(error("").getMessage().contains("empty model file"));
    }
}
