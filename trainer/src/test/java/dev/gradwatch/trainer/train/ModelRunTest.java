package dev.gradwatch.trainer.train;

import dev.gradwatch.trainer.engine.Norms;
import dev.gradwatch.trainer.engine.Parameter;
import dev.gradwatch.trainer.model.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class ModelRunTest {

    private static final String RESIDUAL = """
            seed: 3
            input: 6
            layers:
              - {type: dense, size: 16, activation: gelu, init: he-normal}
              - type: residual
                scale: 0.5
                layers:
                  - {type: layernorm}
                  - {type: dense, size: 16, activation: relu, init: he-normal}
                  - {type: dropout, p: 0.2}
                  - {type: dense, size: 16}
              - {type: batchnorm}
              - {type: prelu}
              - {type: dense, size: 1}
            loss: mse
            optimizer: {type: adamw, lr: 0.01}
            schedule: {type: warmup, steps: 5, then: cosine}
            clip: {type: agc, lambda: 0.05}
            data: {type: teacher-regression, test-size: 200}
            batch: 16
            steps: 60
            """;

    static ModelFile yaml(String text) {
        return ModelFile.parse(text, false, "test");
    }

    /** Each step's loss and pre-clip gradient norm as bits (xor), then the test loss: for bit-identity checks. */
    static long[] losses(ModelFile file) throws IOException {
        ModelRun run = ModelRun.create(file);
        long[] bits = new long[(int) run.totalSteps() + 1];
        for (int i = 0; i < run.totalSteps(); i++) {
            ModelRun.Step s = run.step();
            bits[i] = Double.doubleToLongBits(s.loss()) ^ Double.doubleToLongBits(s.gradNorm());
        }
        bits[bits.length - 1] = Double.doubleToLongBits(run.evaluate().loss());
        return bits;
    }

    @Test
    void sameFileAndSeedGiveBitIdenticalLosses() throws IOException {
        for (String clip : new String[]{"{type: agc, lambda: 0.05}", "{type: norm, max: 0.5}", "{type: value, max: 0.01}",
                "{type: per-layer, max: 0.3}", "none"}) {
            ModelFile file = yaml(RESIDUAL.replace("{type: agc, lambda: 0.05}", clip));
            assertArrayEquals(losses(file), losses(file), clip);
        }
        ModelFile file = yaml(RESIDUAL);
        assertNotEquals(losses(file)[0], losses(file.withSeed(4))[0]);
    }

    /**
     * The probe measures on its helper thread while the step goes on, and clipping changes the
     * gradients in place: whatever the clipping (and a monitor's clip on top), the probe's layer
     * norms must add up to the raw global norm the step reports, not to the clipped one.
     */
    @Test
    void theProbeReadsTheRawGradientsWhateverClipsThem() throws IOException {
        for (String clip : new String[]{"{type: norm, max: 0.001}", "{type: value, max: 0.0001}",
                "{type: per-layer, max: 0.001}", "{type: agc, lambda: 0.001}", "none", "monitor"}) {
            ModelRun run = ModelRun.create(yaml(RESIDUAL.replace("{type: agc, lambda: 0.05}", clip.equals("monitor") ? "none" : clip)));
            Trainable t = run.asTrainable();
            if (clip.equals("monitor")) t.setClipNorm(0.001);
            assertTrue(run.probe().measuresInBackground() || Runtime.getRuntime().availableProcessors() == 1);
            for (int i = 0; i < 30; i++) {
                ModelRun.Step s = run.step();
                double sum = 0;
                for (int l = 0; l < run.probe().layerCount(); l++) sum += Math.pow(run.probe().layer(l).gradL2(), 2);
                assertEquals(s.gradNorm(), Math.sqrt(sum), 1e-9 * s.gradNorm(), clip + ", step " + i);
                assertTrue(s.gradNorm() > 0.01, clip + ": the raw norm is well above every clip here, step " + i);
            }
        }
    }

    /** The norm the step takes from the probe's pass is the one a pass of its own gives, to the bit, nested blocks included. */
    @Test
    void theProbesGlobalNormIsTheGuardsNorm() throws IOException {
        ModelRun run = ModelRun.create(yaml(RESIDUAL));
        for (int i = 0; i < 5; i++) {
            run.forwardBackward();
            assertEquals(Double.doubleToLongBits(Norms.globalGradL2(run.model().parameters())),
                    Double.doubleToLongBits(run.probe().globalGradL2()), "step " + i);
            run.step();
        }
    }

    @Test
    void learnsTheResidualRegressionBetterThanPredictingZero() throws IOException {
        ModelRun run = ModelRun.create(yaml(RESIDUAL.replace("steps: 60", "steps: 400")));
        ModelRun.Evaluation before = run.evaluate();
        ModelRun.Result r = run.run(null);
        assertFalse(r.test().classification());
        assertTrue(Double.isNaN(r.test().accuracy()));
        assertEquals(200, r.test().samples());
        assertTrue(r.test().loss() < 0.5 * before.loss(), "test loss " + before.loss() + " -> " + r.test().loss());
        assertEquals(400, r.steps());
        assertEquals(0, r.skipped());
    }

    @Test
    void learnsParityAndTwoSpiralsWellAboveChance() throws IOException {
        ModelFile parity = ModelFile.read(Path.of("..", "examples", "models", "parity.json"));
        ModelRun.Result p = ModelRun.create(parity.withSteps(1500)).run(null);
        assertTrue(p.test().classification());
        assertTrue(p.test().accuracy() > 0.9, "parity accuracy " + p.test().accuracy());
        ModelFile spirals = ModelFile.read(Path.of("..", "examples", "models", "two-spirals.yaml"));
        ModelRun.Result s = ModelRun.create(spirals.withSteps(1500)).run(null);
        assertTrue(s.test().accuracy() > 0.9, "two-spirals accuracy " + s.test().accuracy());
    }

    @Test
    void nonFiniteGradientsAreNeverAppliedButSkippedAndCounted() throws IOException {
        ModelRun run = ModelRun.create(yaml("""
                input: 8
                layers:
                  - {type: dense, size: 32, activation: relu, init: "normal:3"}
                  - {type: dense, size: 32, activation: relu, init: "normal:3"}
                  - {type: dense, size: 1, init: "normal:3"}
                loss: mse
                optimizer: {type: sgd, lr: 1.0e+6}
                data: {type: teacher-regression}
                batch: 8
                steps: 100
                """));
        long applied = 0;
        for (int i = 0; i < 100; i++) {
            ModelRun.Step s = run.step();
            if (s.skipped()) {
                boolean nonFinite = !Double.isFinite(s.gradNorm());
                assertTrue(nonFinite, "a skipped step has a non-finite gradient, step " + i);
            } else {
                applied++;
            }
        }
        assertTrue(run.skippedSteps() > 0, "the blow-up must produce skipped steps");
        assertEquals(100, applied + run.skippedSteps());
        for (Parameter p : run.model().parameters()) {
            for (double w : p.value().data) assertFalse(Double.isNaN(w), p.name() + " took a NaN update");
        }
    }

    /** 28×28 images whose class c lights rows 2c+4 and 2c+5, over uniform noise in 0..99. */
    private static void writeTinyFashion(Path dir, String prefix, int n, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] px = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int c = rng.nextInt(10);
            labels[i] = (byte) c;
            for (int j = 0; j < 784; j++) {
                int row = j / 28;
                px[i * 784 + j] = (byte) (row == 2 * c + 4 || row == 2 * c + 5 ? 150 + rng.nextInt(100) : rng.nextInt(100));
            }
        }
        writeIdx(dir.resolve(prefix + "-images-idx3-ubyte.gz"), new int[]{n, 28, 28}, px);
        writeIdx(dir.resolve(prefix + "-labels-idx1-ubyte"), new int[]{n}, labels);
    }

    private static void writeIdx(Path file, int[] dims, byte[] data) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream os = file.toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw;
             DataOutputStream out = new DataOutputStream(os)) {
            out.writeInt(0x0800 | dims.length);
            for (int d : dims) out.writeInt(d);
            out.write(data);
        }
    }

    @Test
    void aShortFashionMnistRunOnATinyIdxSetBeatsChance(@TempDir Path dir) throws IOException {
        writeTinyFashion(dir, "train", 640, 1);
        writeTinyFashion(dir, "t10k", 200, 2);
        String text = Files.readString(Path.of("..", "examples", "models", "fashion-mnist-mlp.yaml"))
                .replace("/usr/share/datasets/fashion-mnist", dir.toString())
                .replace("size: 256", "size: 32").replace("size: 128", "size: 16")
                .replace("batch: 128", "batch: 32").replace("epochs: 5", "epochs: 2");
        ModelRun run = ModelRun.create(yaml(text));
        assertEquals(40, run.totalSteps(), "2 epochs of 640 in batches of 32");
        ModelRun.Result r = run.run(null);
        assertTrue(r.test().classification());
        assertEquals(200, r.test().samples());
        assertTrue(r.test().accuracy() > 0.5, "accuracy " + r.test().accuracy() + " (chance: 0.1)");
    }

    @Test
    void aMissingDataSetSaysWhereTheFilesWereLookedFor(@TempDir Path dir) throws IOException {
        String text = Files.readString(Path.of("..", "examples", "models", "fashion-mnist-mlp.yaml"))
                .replace("/usr/share/datasets/fashion-mnist", dir.toString());
        IOException e = assertThrows(IOException.class, () -> ModelRun.create(yaml(text)));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }
}
