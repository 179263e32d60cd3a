package dev.gradwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.gradwatch.cli.CliRun.EXAMPLES;
import static dev.gradwatch.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

/** gradwatch probe and train on model files with recurrent layers. */
class RecurrentCommandsTest {

    @Test
    void probeTextShowsTheFirstLastTimeStepRatioOfARecurrentLayer() {
        CliRun r = run("probe", EXAMPLES.resolve("adding-rnn.yaml").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("rnn0"), r.out());
        assertTrue(r.out().contains("rnn/tanh"), r.out());
        assertTrue(r.out().contains("rnn0: first/last time-step gradient norm ratio over 50 steps: "), r.out());
    }

    @Test
    void probeJsonCarriesThePerTimeStepNormsOfRecurrentLayersOnly() throws Exception {
        CliRun r = run("probe", EXAMPLES.resolve("adding-lstm.yaml").toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode layers = new ObjectMapper().readTree(r.out()).get("layers");
        assertEquals(2, layers.size());
        assertEquals("lstm0", layers.get(0).get("name").asText());
        JsonNode ts = layers.get(0).get("timeStepGradNorms");
        assertNotNull(ts, r.out());
        assertEquals(50, ts.size());
        for (JsonNode g : ts) assertTrue(g.isNumber() && g.asDouble() > 0, r.out());
        assertFalse(layers.get(1).has("timeStepGradNorms"), "no time steps for the dense head");
    }

    @Test
    void trainOnTheAddingProblemPrintsTheTestMseAndTheBaseline(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("adding.yaml");
        Files.writeString(file, Files.readString(EXAMPLES.resolve("adding-lstm.yaml")).replace("time-steps: 50", "time-steps: 10"));
        CliRun r = run("train", file.toString(), "--steps", "300", "--reports", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("data adding"), r.out());
        assertTrue(r.out().contains("test loss "), r.out());
        assertTrue(r.out().contains("baseline (always predicting the expected sum 1): test MSE 2/12 = 0.1667; this model beats it"), r.out());
    }

    @Test
    void aRecurrentLayerWithoutASequenceDataSetIsReportedWithItsField(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, Files.readString(EXAMPLES.resolve("adding-lstm.yaml"))
                .replace("data: {type: adding, time-steps: 50, test-size: 1000}", "data: {type: teacher-regression}"));
        CliRun r = run("probe", file.toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("layers[0].type: lstm is a recurrent layer and needs a sequence data set"), r.err());
    }
}
