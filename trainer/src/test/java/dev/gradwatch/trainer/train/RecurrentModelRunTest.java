package dev.gradwatch.trainer.train;

import dev.gradwatch.trainer.data.AddingProblem;
import dev.gradwatch.trainer.model.ModelFile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.gradwatch.trainer.train.ModelRunTest.losses;
import static dev.gradwatch.trainer.train.ModelRunTest.yaml;
import static org.junit.jupiter.api.Assertions.*;

/** Model files with recurrent layers, trained, evaluated and probed through ModelRun. */
class RecurrentModelRunTest {

    /** An LSTM on the adding problem with T = 10. */
    static final String ADDING_LSTM = """
            seed: 1
            input: 2
            layers:
              - {type: lstm, size: 32, forget-bias: 1.0}
              - {type: last-step}
              - {type: dense, size: 1}
            loss: mse
            optimizer: {type: adam, lr: 0.01}
            clip: {type: norm, max: 1.0}
            data: {type: adding, time-steps: 10, test-size: 1000}
            batch: 32
            steps: 500
            """;

    static final String COPY_GRU = """
            seed: 2
            input: 5
            layers:
              - {type: gru, size: 24}
              - {type: dense, size: 4}
              - {type: softmax}
            loss: softmax-ce
            optimizer: {type: adam, lr: 0.01}
            clip: {type: norm, max: 1.0}
            data: {type: copy, symbols: 3, length: 3, delay: 2, test-size: 300}
            batch: 16
            steps: 40
            """;

    @Test
    void anLstmLearnsTheAddingProblemBelowTheBaselineWithinBoundedSteps() throws IOException {
        ModelRun run = ModelRun.create(yaml(ADDING_LSTM));
        ModelRun.Evaluation before = run.evaluate();
        assertEquals(1000, before.samples());
        assertFalse(before.classification());
        assertTrue(Double.isNaN(before.accuracy()));
        long start = System.nanoTime();
        ModelRun.Result r = run.run(null);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(500, r.steps());
        assertEquals(0, r.skipped());
        // predicting the mean sum scores 2/12; a tenth of that needs the marked values carried through time
        assertTrue(r.test().loss() < AddingProblem.BASELINE_MSE / 10,
                "test MSE " + r.test().loss() + " vs baseline " + AddingProblem.BASELINE_MSE);
        assertTrue(seconds < 10, "500 steps took " + seconds + " s");
    }

    @Test
    void sameFileAndSeedGiveBitIdenticalLossesForRecurrentModels() throws IOException {
        ModelFile adding = yaml(ADDING_LSTM).withSteps(30);
        assertArrayEquals(losses(adding), losses(adding));
        assertFalse(Arrays.equals(losses(adding), losses(adding.withSeed(2))), "another seed, other losses");
        ModelFile copy = yaml(COPY_GRU);
        assertArrayEquals(losses(copy), losses(copy));
        ModelFile rnn = yaml(ADDING_LSTM.replace("{type: lstm, size: 32, forget-bias: 1.0}", "{type: rnn, size: 16}")).withSteps(30);
        assertArrayEquals(losses(rnn), losses(rnn));
    }

    @Test
    void theCopyTaskIsScoredAtEveryTimeStep() throws IOException {
        ModelRun run = ModelRun.create(yaml(COPY_GRU));
        ModelRun.Evaluation e0 = run.evaluate();
        assertTrue(e0.classification());
        assertEquals(300, e0.samples(), "samples are sequences");
        assertTrue(e0.accuracy() >= 0 && e0.accuracy() <= 1);
        // an untrained net guesses among 4 classes; blanks are (length + delay) / T = 5/8 of the steps
        ModelRun.Result r = run.run(null);
        assertTrue(r.test().loss() < e0.loss(), r.test() + " after vs " + e0 + " before");
        assertTrue(r.test().accuracy() >= 0.5, "a trained net at least outputs the blanks: " + r.test());
    }

    @Test
    void theProbeReportsPerTimeStepGradientNormsOfRecurrentLayers() throws IOException {
        ProbeReport p = ProbeReport.of(yaml(ADDING_LSTM));
        assertEquals(32, p.batch());
        assertEquals(2, p.layers().size(), "the lstm and the dense head; last-step has no parameters");
        ProbeReport.Layer lstm = p.layers().get(0);
        assertEquals("lstm0", lstm.name());
        assertEquals("lstm", lstm.kind());
        assertEquals(10, lstm.timeStepGradNorms().length);
        for (double g : lstm.timeStepGradNorms()) assertTrue(g > 0 && Double.isFinite(g), Arrays.toString(lstm.timeStepGradNorms()));
        double[] ts = lstm.timeStepGradNorms();
        assertEquals(ts[0] / ts[9], lstm.firstLastTimeStepRatio());
        assertNull(p.layers().get(1).timeStepGradNorms());
        assertTrue(Double.isNaN(p.layers().get(1).firstLastTimeStepRatio()));
        String text = p.text();
        assertTrue(text.contains("lstm0: first/last time-step gradient norm ratio over 10 steps: "), text);
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "%.3e", lstm.firstLastTimeStepRatio())), text);
        assertTrue(text.contains("first/last dense gradient norm ratio: n/a (fewer than two dense layers)"), text);
        assertFalse(text.contains("NaN"), text);

        // the same probe twice gives the same numbers
        assertArrayEquals(ts, ProbeReport.of(yaml(ADDING_LSTM)).layers().get(0).timeStepGradNorms());
    }

    @Test
    void theShippedAddingExamplesProbe() throws IOException {
        for (String name : new String[]{"adding-lstm.yaml", "adding-rnn.yaml"}) {
            ModelFile f = ModelFile.read(Path.of("..", "examples", "models", name));
            ProbeReport p = ProbeReport.of(f);
            assertEquals(f.data().sequenceLength(), p.layers().get(0).timeStepGradNorms().length, name);
            assertTrue(p.layers().get(0).firstLastTimeStepRatio() > 0, name);
        }
    }
}
