package dev.gradwatch.demo;

import dev.gradwatch.trainer.model.ModelFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo's scenarios are the model files of examples/models, as packaged on the classpath. */
class ScenarioModelFilesTest {

    @Test
    void eachScenarioTrainsItsExampleModelFile() throws Exception {
        for (Scenario s : Scenario.values()) {
            Path example = Path.of("..", "examples", "models", "demo-" + s.label() + ".yaml");
            assertTrue(Files.exists(example), example.toString());
            try (var in = Scenario.class.getResourceAsStream(s.resource())) {
                assertEquals(Files.readString(example), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
                        s + ": the packaged file is the example file");
            }
            ModelFile file = ModelFile.read(example);
            assertEquals(file.name(), s.modelFile().name());
            assertEquals(file.layers(), s.modelFile().layers());
            assertEquals(file.seed(), s.modelFile().seed());
            assertEquals(file.optimizer(), s.modelFile().optimizer());
        }
    }
}
