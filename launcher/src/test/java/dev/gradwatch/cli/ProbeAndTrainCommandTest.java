package dev.gradwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.gradwatch.cli.CliRun.EXAMPLES;
import static dev.gradwatch.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

class ProbeAndTrainCommandTest {

    @Test
    void probeJsonHasEveryLayerWithItsNormsAndTheRatioAndFactor() throws Exception {
        CliRun r = run("probe", EXAMPLES.resolve("vanishing-sigmoid.yaml").toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(List.of("model", "batch", "loss", "layers", "firstLastRatio", "attenuation"),
                iterableToList(json.fieldNames()));
        assertEquals("vanishing-sigmoid-16", json.get("model").asText());
        assertEquals(32, json.get("batch").asInt());
        JsonNode layers = json.get("layers");
        assertEquals(16, layers.size());
        for (int i = 0; i < 16; i++) {
            JsonNode l = layers.get(i);
            assertEquals(List.of("index", "name", "kind", "params", "gradL2", "weightL2"), iterableToList(l.fieldNames()));
            assertEquals(i, l.get("index").asInt());
            assertEquals("dense" + i, l.get("name").asText());
            assertTrue(l.get("gradL2").isNumber() && l.get("gradL2").asDouble() > 0);
        }
        assertEquals("dense/sigmoid", layers.get(0).get("kind").asText());
        assertEquals(32 * 32 + 32, layers.get(0).get("params").asLong());
        double ratio = json.get("firstLastRatio").asDouble();
        assertEquals(layers.get(0).get("gradL2").asDouble() / layers.get(15).get("gradL2").asDouble(), ratio, 1e-12 * ratio);
        assertEquals(Math.pow(ratio, 1.0 / 15), json.get("attenuation").asDouble(), 1e-9);
        assertTrue(json.get("attenuation").asDouble() < 0.5, "16 sigmoid layers with the default init vanish");
    }

    private static List<String> iterableToList(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void probeTextListsLayersRatioAndFactor() {
        CliRun r = run("probe", EXAMPLES.resolve("residual-regression.yaml").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("first/last dense gradient norm ratio"), r.out());
        assertTrue(r.out().contains("average per-layer attenuation factor"), r.out());
        assertTrue(r.out().contains("ln0") && r.out().contains("prelu0") && r.out().contains("dense5"), r.out());
    }

    @Test
    void aBadModelFileIsReportedWithTheFieldPathAndNoStackTrace(@TempDir Path dir) throws Exception {
        Path badYaml = dir.resolve("bad2.yaml");
        Files.writeString(badYaml, Files.readString(EXAMPLES.resolve("two-spirals.yaml")).replace("activation: tanh", "activation: sigmoud"));
        CliRun r = run("train", badYaml.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("layers[0].activation: expected one of sigmoid, tanh, relu"), r.err());
        assertTrue(r.err().contains("got \"sigmoud\""), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        CliRun missing = run("probe", dir.resolve("nope.yaml").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("model file " + dir.resolve("nope.yaml") + " does not exist"), missing.err());
    }

    @Test
    void trainPrintsProgressThenTestAccuracyAndWallTime() {
        CliRun r = run("train", EXAMPLES.resolve("parity.json").toString(), "--steps", "200", "--reports", "4");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("step     50/200"), r.out());
        assertTrue(r.out().contains("steps/s") && r.out().contains("ETA"), r.out());
        assertTrue(r.out().matches("(?s).*test accuracy \\d+\\.\\d\\d% on 2000 samples.*"), r.out());
        assertTrue(r.out().contains("wall time"), r.out());
    }

    @Test
    void trainOnAFiniteSetPrintsTheTestAccuracyAfterEveryEpoch(@TempDir Path dir) throws Exception {
        // 28×28 images of class c = i mod 10 with rows 2c+4 and 2c+5 lit
        for (String prefix : new String[]{"train", "t10k"}) {
            int n = prefix.equals("train") ? 320 : 100;
            byte[] px = new byte[n * 784], labels = new byte[n];
            for (int i = 0; i < n; i++) {
                int c = i % 10;
                labels[i] = (byte) c;
                for (int j = 0; j < 784; j++) px[i * 784 + j] = (byte) (j / 28 == 2 * c + 4 || j / 28 == 2 * c + 5 ? 200 : (i * 7 + j) % 60);
            }
            writeIdx(dir.resolve(prefix + "-images-idx3-ubyte"), new int[]{n, 28, 28}, px);
            writeIdx(dir.resolve(prefix + "-labels-idx1-ubyte"), new int[]{n}, labels);
        }
        Path model = dir.resolve("tiny.yaml");
        Files.writeString(model, Files.readString(EXAMPLES.resolve("fashion-mnist-mlp.yaml"))
                .replace("/usr/share/datasets/fashion-mnist", dir.toString())
                .replace("size: 256", "size: 16").replace("size: 128", "size: 16").replace("batch: 128", "batch: 32")
                .replace("epochs: 5", "epochs: 3"));
        CliRun r = run("train", model.toString(), "--reports", "3");
        assertEquals(0, r.exit(), r.err());
        for (int e = 1; e <= 3; e++) assertTrue(r.out().contains("epoch " + e + ": test accuracy"), r.out());
        assertTrue(r.out().contains("test accuracy") && r.out().contains("on 100 samples"), r.out());
    }

    private static void writeIdx(Path file, int[] dims, byte[] data) throws java.io.IOException {
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(0x0800 | dims.length);
            for (int d : dims) out.writeInt(d);
            out.write(data);
        }
    }

    @Test
    void probeCaseWritesAModelFileThatProbeReads(@TempDir Path dir) throws Exception {
        CliRun c = run("probe", "--case", "relu,6,he-normal,residual-batchnorm");
        assertEquals(0, c.exit(), c.err());
        Path file = dir.resolve("case.yaml");
        Files.writeString(file, c.out());
        CliRun p = run("probe", file.toString(), "--json");
        assertEquals(0, p.exit(), p.err());
        assertEquals("relu-6-he-normal-residual-batchnorm", new ObjectMapper().readTree(p.out()).get("model").asText());
    }

    /**
     * {@code --backend} chooses where the products are computed: the same model and seed train to the
     * same loss within rounding on EJML and on netlib's BLAS (Java), the run says which it used, the
     * process is left on the backend it had, and a name that is not a backend is refused with the
     * names it accepts.
     */
    @Test
    void trainRunsOnTheBackendItIsGivenAndRefusesAnUnknownOne() {
        var before = dev.gradwatch.trainer.engine.MatrixOps.backend();
        String model = EXAMPLES.resolve("vanishing-sigmoid.yaml").toString();
        CliRun ejml = run("train", model, "--steps", "20", "--backend", "ejml");
        CliRun blas = run("train", model, "--steps", "20", "--backend", "blas-java");
        assertEquals(0, ejml.exit(), ejml.err());
        assertEquals(0, blas.exit(), blas.err());
        assertTrue(ejml.out().contains("matrix backend ejml"), ejml.out());
        assertTrue(blas.out().contains("matrix backend blas-java"), blas.out());
        assertEquals(before, dev.gradwatch.trainer.engine.MatrixOps.backend());
        double a = finalLoss(ejml.out());
        double b = finalLoss(blas.out());
        assertEquals(a, b, 1e-9 * Math.abs(a), "the same training on either backend");

        CliRun bad = run("train", model, "--steps", "20", "--backend", "cuda");
        assertNotEquals(0, bad.exit());
        assertTrue(bad.err().contains("--backend") && bad.err().contains("ejml, ejml-concurrent, blas, blas-java")
                && bad.err().contains("cuda"), bad.err());
    }

    private static double finalLoss(String out) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("final batch loss ([0-9.eE+-]+)").matcher(out);
        assertTrue(m.find(), out);
        return Double.parseDouble(m.group(1));
    }

    /**
     * {@code --progress bar} redraws one line in place (carriage returns) and ends it with a newline,
     * with the epoch lines above it; {@code --progress lines} prints report lines; the last figures
     * agree.
     */
    @Test
    void trainShowsABarRedrawnInPlaceOrLinesForLogs() {
        String model = EXAMPLES.resolve("two-spirals.yaml").toString();
        CliRun bar = run("train", model, "--steps", "300", "--progress", "bar");
        CliRun lines = run("train", model, "--steps", "300", "--progress", "lines", "--reports", "3");
        assertEquals(0, bar.exit(), bar.err());
        assertEquals(0, lines.exit(), lines.err());

        String[] barLines = bar.out().split("\n");
        String drawn = java.util.Arrays.stream(barLines).filter(l -> l.contains(" 300/300 ")).findFirst().orElseThrow();
        assertTrue(drawn.startsWith("\r"), "the bar is redrawn from the line's start: " + drawn);
        String last = drawn.substring(drawn.lastIndexOf('\r') + 1).strip();
        assertTrue(last.startsWith("[" + "#".repeat(20) + "] 100% 300/300 loss "), last);
        assertTrue(last.endsWith("ETA 0s"), last);
        assertTrue(last.length() <= 80, "fits an 80-column terminal: " + last.length());
        assertFalse(java.util.Arrays.stream(barLines).anyMatch(l -> l.startsWith("step ")), "no report lines with a bar");

        assertFalse(lines.out().contains("\r"), "lines mode writes no carriage returns");
        assertEquals(3, lines.out().lines().filter(l -> l.startsWith("step ")).count(), lines.out());
        assertTrue(lines.out().contains("step    300/300  loss "), lines.out());

        CliRun wrong = run("train", model, "--progress", "spinner");
        assertNotEquals(0, wrong.exit());
        assertTrue(wrong.err().contains("--progress") && wrong.err().contains("auto, bar, lines"), wrong.err());
    }

    @Test
    void theBarIsFilledInProportionToTheStepsDone() {
        assertEquals("[" + "#".repeat(6) + ".".repeat(14) + "]  30% 300/1000 x",
                TrainCommand.Progress.barLine(300, 1000, "x"));
        assertEquals("[" + ".".repeat(20) + "]   0% 0/7 x", TrainCommand.Progress.barLine(0, 7, "x"));
    }
}
