package dev.gradwatch.trainer.model;

import dev.gradwatch.trainer.data.AddingProblem;
import dev.gradwatch.trainer.nn.Sequential;
import dev.gradwatch.trainer.nn.recurrent.Gru;
import dev.gradwatch.trainer.nn.recurrent.LastTimeStep;
import dev.gradwatch.trainer.nn.recurrent.Lstm;
import dev.gradwatch.trainer.nn.recurrent.Rnn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Recurrent layers, last-step and the sequence data sets in model files, and every error they can raise. */
class RecurrentModelFileTest {

    /** A valid adding-problem model; the error cases below each break one piece of it. */
    static final String ADDING = """
            input: 2
            layers:
              - {type: dense, size: 4, activation: tanh}
              - {type: lstm, size: 8}
              - {type: gru, size: 6}
              - {type: rnn, size: 5}
              - {type: last-step}
              - {type: dense, size: 1}
            loss: mse
            optimizer: {type: adam, lr: 0.01}
            data: {type: adding, time-steps: 7, test-size: 20}
            batch: 4
            steps: 3
            """;

    /** A valid copy-task model: a dense head on every hidden state. */
    static final String COPY = """
            input: 5
            layers:
              - {type: lstm, size: 8, forget-bias: 2.5}
              - {type: dense, size: 4}
              - {type: softmax}
            loss: softmax-ce
            optimizer: {type: adam, lr: 0.01}
            data: {type: copy, symbols: 3, length: 4, delay: 2, test-size: 10}
            batch: 4
            steps: 3
            """;

    private static ModelFile yaml(String text) {
        return ModelFile.parse(text, false, "test");
    }

    @Test
    void readsRecurrentLayersAndTheAddingProblem() {
        ModelFile f = yaml(ADDING);
        assertEquals(new ModelFile.Recurrent("lstm", 8, 1.0), f.layers().get(1), "forget-bias defaults to 1");
        assertEquals("gru", ((ModelFile.Recurrent) f.layers().get(2)).cell());
        assertEquals(6, ((ModelFile.Recurrent) f.layers().get(2)).size());
        assertEquals("rnn", ((ModelFile.Recurrent) f.layers().get(3)).cell());
        assertEquals(new ModelFile.LastStep(), f.layers().get(4));
        assertEquals(1, f.output());
        assertEquals("adding", f.data().type());
        assertEquals(7, f.data().timeSteps());
        assertEquals(7, f.data().sequenceLength());
        assertTrue(f.data().sequence());
        assertFalse(f.data().classification());
        assertFalse(f.data().targetsEveryTimeStep());
        assertEquals(AddingProblem.BASELINE_MSE, f.data().baselineLoss());
        assertEquals(20, f.data().testSize());
    }

    @Test
    void readsTheCopyTask() {
        ModelFile f = yaml(COPY);
        assertEquals(new ModelFile.Recurrent("lstm", 8, 2.5), f.layers().get(0));
        ModelFile.DataSpec d = f.data();
        assertEquals(3, d.symbols());
        assertEquals(4, d.length());
        assertEquals(2, d.delay());
        assertEquals(2 * 4 + 2, d.sequenceLength());
        assertTrue(d.sequence());
        assertTrue(d.classification());
        assertTrue(d.targetsEveryTimeStep());
        assertTrue(Double.isNaN(d.baselineLoss()));
        assertEquals(4, f.output());
    }

    @Test
    void readsJsonToo() {
        ModelFile f = ModelFile.parse("""
                {"input": 2, "layers": [{"type": "gru", "size": 3}, {"type": "last-step"}, {"type": "dense", "size": 1}],
                 "loss": "mse", "optimizer": {"type": "sgd", "lr": 0.1},
                 "data": {"type": "adding", "time-steps": 4}, "batch": 2, "steps": 1}
                """, true, "j");
        assertEquals(new ModelFile.Recurrent("gru", 3, Double.NaN), f.layers().get(0));
        assertEquals(4, f.data().sequenceLength());
        assertEquals(2000, f.data().testSize());
    }

    @Test
    void buildsTheLayersWithTheDataSetsTimeSteps() {
        Sequential net = ModelBuilder.build(yaml(ADDING), new SplittableRandom(1), 0);
        var layers = net.sublayers();
        assertEquals(6, layers.size());
        Lstm lstm = (Lstm) layers.get(1);
        assertEquals("lstm0", lstm.name());
        assertEquals(4, lstm.inputs());
        assertEquals(8, lstm.hidden());
        assertEquals(7, lstm.timeSteps());
        assertEquals(1.0, lstm.bias().value().get(0, 8), "forget-gate block starts at the forget bias");
        assertEquals(0.0, lstm.bias().value().get(0, 0));
        Gru gru = (Gru) layers.get(2);
        assertEquals("gru0", gru.name());
        assertEquals(8, gru.inputs());
        assertEquals(7, gru.timeSteps());
        Rnn rnn = (Rnn) layers.get(3);
        assertEquals("rnn0", rnn.name());
        assertEquals(6, rnn.inputs());
        LastTimeStep last = (LastTimeStep) layers.get(4);
        assertEquals("last0", last.name());
        assertEquals(7, last.timeSteps());

        Sequential copy = ModelBuilder.build(yaml(COPY), new SplittableRandom(1), 0);
        assertEquals(10, ((Lstm) copy.sublayers().get(0)).timeSteps());
        assertEquals(2.5, ((Lstm) copy.sublayers().get(0)).bias().value().get(0, 8));
        assertEquals(2, copy.sublayers().size(), "the final softmax is folded into softmax-ce");
    }

    /** One broken piece of a valid file, the path the error must name, and a piece of what it must say. */
    record Case(String base, String from, String to, String field, String says) {
        @Override
        public String toString() {
            return field + ": " + says;
        }
    }

    static Stream<Case> errors() {
        return Stream.of(
                // recurrent layers only with a sequence data set, and vice versa
                new Case(ADDING, "data: {type: adding, time-steps: 7, test-size: 20}", "data: {type: teacher-regression}",
                        "layers[1].type", "lstm is a recurrent layer and needs a sequence data set (adding or copy); data is teacher-regression"),
                new Case(ADDING, """
                          - {type: lstm, size: 8}
                          - {type: gru, size: 6}
                          - {type: rnn, size: 5}
                          - {type: last-step}
                        """, "", "data.type", "adding is a sequence task; expected a recurrent layer (rnn, lstm or gru)"),
                // last-step only after a recurrent layer, once, and only where the end is scored
                new Case(ADDING, "  - {type: dense, size: 4, activation: tanh}\n", "  - {type: last-step}\n",
                        "layers[0]", "expected it after a recurrent layer (rnn, lstm or gru)"),
                new Case(ADDING, "  - {type: rnn, size: 5}\n", "  - {type: last-step}\n",
                        "layers[4]", "expected one last-step; layers[3] already kept only the last time step"),
                new Case(ADDING, "  - {type: rnn, size: 5}\n  - {type: last-step}\n", "  - {type: last-step}\n  - {type: rnn, size: 5}\n",
                        "layers[4]", "expected a sequence for rnn, but layers[3] (last-step) already kept only the last time step"),
                new Case(ADDING, "  - {type: last-step}\n", "",
                        "layers", "adding scores the end of each sequence; expected a {type: last-step}"),
                new Case(COPY, "  - {type: dense, size: 4}\n", "  - {type: last-step}\n  - {type: dense, size: 4}\n",
                        "layers[1]", "copy scores every time step; expected no last-step"),
                new Case(COPY, "  - {type: lstm, size: 8, forget-bias: 2.5}\n", """
                          - {type: lstm, size: 8, forget-bias: 2.5}
                          - {type: residual, layers: [{type: gru, size: 8}]}
                        """, "layers[1].layers[0].type", "gru is not allowed inside a residual block"),
                // the layers' own fields
                new Case(ADDING, "{type: lstm, size: 8}", "{type: lstm}", "layers[1].size", "missing"),
                new Case(ADDING, "{type: gru, size: 6}", "{type: gru, size: 0}", "layers[2].size", "expected a whole number >= 1, got 0"),
                new Case(ADDING, "{type: rnn, size: 5}", "{type: rnn, size: 5, forget-bias: 1}", "layers[3].forget-bias",
                        "unknown field for rnn; expected one of size, type"),
                new Case(ADDING, "{type: lstm, size: 8}", "{type: lstm, size: 8, forget-bias: big}", "layers[1].forget-bias",
                        "expected a number, got \"big\""),
                new Case(ADDING, "{type: lstm, size: 8}", "{type: lstm, size: 8, time-steps: 7}", "layers[1].time-steps",
                        "unknown field for lstm; expected one of forget-bias, size, type"),
                new Case(ADDING, "{type: last-step}", "{type: last-step, size: 1}", "layers[4].size",
                        "unknown field for last-step; expected one of type"),
                new Case(ADDING, "{type: rnn, size: 5}", "{type: lsmt, size: 5}", "layers[3].type",
                        "expected one of dense, batchnorm, layernorm, activation, residual, dropout, prelu, softmax, rnn, lstm, gru, last-step; got \"lsmt\""),
                // the sequence data sets' fields and shapes
                new Case(ADDING, "time-steps: 7, ", "", "data.time-steps", "missing"),
                new Case(ADDING, "time-steps: 7", "time-steps: 1", "data.time-steps", "expected a whole number >= 2, got 1"),
                new Case(ADDING, "time-steps: 7", "time-steps: 7, bits: 3", "data.bits", "unknown field for adding"),
                new Case(ADDING, "input: 2", "input: 3", "input", "expected 2 for adding (a value and a marker per step), got 3"),
                new Case(ADDING, "  - {type: dense, size: 1}\n", "  - {type: dense, size: 2}\n", "layers[5]",
                        "expected the model to end with 1 output (the sum) for adding, got 2"),
                new Case(ADDING, "loss: mse", "loss: bce", "loss", "adding has a real-valued target; expected mse, got bce"),
                new Case(COPY, "delay: 2, ", "", "data.delay", "missing"),
                new Case(COPY, "symbols: 3", "symbols: 0", "data.symbols", "expected a whole number >= 1, got 0"),
                new Case(COPY, "length: 4", "length: four", "data.length", "expected a whole number >= 1, got \"four\""),
                new Case(COPY, "input: 5", "input: 4", "input", "expected 5 for copy with 3 symbols (one-hot: blank, the symbols, the delimiter), got 4"),
                new Case(COPY, "{type: dense, size: 4}", "{type: dense, size: 3}", "layers[2]",
                        "expected the model to end with 4 outputs for copy with 3 symbols (blank and the symbols), got 3"),
                new Case(COPY, "loss: softmax-ce", "loss: mse", "loss", "copy has one class per time step; expected softmax-ce, got mse"));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void anInvalidFileNamesTheFieldAndWhatWasExpected(Case c) {
        assertTrue(c.base().contains(c.from()), "the case must change the file: " + c.from());
        String text = c.base().replace(c.from(), c.to());
        ModelFileException e = assertThrows(ModelFileException.class, () -> yaml(text), text);
        assertEquals(c.field(), e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(c.field() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(c.says()), e.getMessage());
    }

    @Test
    void lastStepAfterDenseLayersWithoutARecurrentOneIsRefusedForAnyDataSet() {
        ModelFileException e = assertThrows(ModelFileException.class, () -> yaml("""
                input: 4
                layers: [{type: dense, size: 4}, {type: last-step}, {type: dense, size: 1}]
                loss: mse
                optimizer: {type: sgd, lr: 0.1}
                data: {type: teacher-regression}
                batch: 4
                steps: 1
                """));
        assertEquals("layers[1]", e.field());
        assertTrue(e.getMessage().contains("expected it after a recurrent layer"), e.getMessage());
    }
}
