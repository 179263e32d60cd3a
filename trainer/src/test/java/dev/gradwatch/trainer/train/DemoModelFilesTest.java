package dev.gradwatch.trainer.train;

import dev.gradwatch.trainer.model.ModelFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo trains the model files {@code examples/models/demo-*.yaml}; the {@link ModelSpec} presets
 * describe the same runs. Step by step, a file and its preset give bit-identical losses, gradient
 * norms and layer statistics, also after a clip command, so the presets' measured behaviour (and the
 * tests that pin it) holds for the files.
 */
class DemoModelFilesTest {

    private static final int STEPS = 220;

    static ModelFile demoFile(String scenario) throws Exception {
        return ModelFile.read(Path.of("..", "examples", "models", "demo-" + scenario + ".yaml"));
    }

    private static void assertSameRun(String scenario, long clipAtStep, double clip) throws Exception {
        Trainable file = Trainable.Factory.of(demoFile(scenario)).create();
        Trainable preset = Trainable.Factory.of(ModelSpec.preset(scenario)).create();
        for (int i = 0; i < STEPS; i++) {
            if (i == clipAtStep) {
                file.setClipNorm(clip);
                preset.setClipNorm(clip);
            }
            StepResult a = file.step();
            StepResult b = preset.step();
            String at = scenario + " step " + i;
            assertEquals(b.step(), a.step(), at);
            assertEquals(Double.doubleToLongBits(b.loss()), Double.doubleToLongBits(a.loss()),
                    at + ": loss " + a.loss() + " vs " + b.loss());
            assertEquals(Double.doubleToLongBits(b.preClipNorm()), Double.doubleToLongBits(a.preClipNorm()), at);
            assertEquals(b.skipped(), a.skipped(), at);
            assertEquals(b.layers(), a.layers(), at);
            assertEquals(preset.learningRate(), file.learningRate(), at);
            assertEquals(preset.clipNorm(), file.clipNorm(), at);
        }
        assertEquals(preset.skippedSteps(), file.skippedSteps());
    }

    @Test
    void theVanishingFileTrainsBitForBitLikeThePreset() throws Exception {
        assertSameRun("vanishing", -1, 0);
    }

    @Test
    void theHealthyFileTrainsBitForBitLikeThePreset() throws Exception {
        assertSameRun("healthy", -1, 0);
    }

    @Test
    void theExplodingFileTrainsBitForBitLikeThePresetIntoNaNAndUnderAClip() throws Exception {
        // unclipped it turns non-finite (from step 164 with this seed) and skips steps; both must agree there too
        assertSameRun("exploding", -1, 0);
        Trainable unclipped = Trainable.Factory.of(demoFile("exploding")).create();
        for (int i = 0; i < STEPS; i++) unclipped.step();
        assertTrue(unclipped.skippedSteps() > 0, "the exploding file blows up without a clip");
        // a clip of 1.0 from step 20, as the monitor's command would set it
        assertSameRun("exploding", 20, 1.0);
    }

    @Test
    void theFilesNameTheirPresetsNetworks() throws Exception {
        for (String s : new String[]{"vanishing", "exploding", "healthy"}) {
            ModelFile f = demoFile(s);
            ModelSpec p = ModelSpec.preset(s);
            assertEquals(p.name(), f.name());
            assertEquals(p.seed(), f.seed());
            assertEquals(p.depth(), f.layers().size());
            assertEquals(p.inputDim(), f.input());
            assertEquals(p.batchSize(), f.batch());
            assertEquals(p.learningRate(), f.optimizer().lr());
            assertEquals(p.loss(), f.loss());
        }
    }
}
