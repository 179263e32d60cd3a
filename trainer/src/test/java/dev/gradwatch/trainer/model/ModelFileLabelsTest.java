package dev.gradwatch.trainer.model;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFileLabelsTest {

    private static final String BASE = """
            input: 4
            layers: [{type: dense, size: 1}]
            loss: mse
            optimizer: {type: sgd, lr: 0.1}
            data: {type: teacher-regression}
            batch: 8
            steps: 10
            """;

    @Test
    void aModelFileMayCarryRunLabelsAndKeepsThemThroughItsVariants() {
        ModelFile f = ModelFile.parse(BASE + "labels: {team: vision, size: 7}\n", false, "m");
        assertEquals(Map.of("team", "vision", "size", "7"), f.labels());
        assertEquals(f.labels(), f.withSeed(3).withSteps(5).labels());
        assertTrue(ModelFile.parse(BASE, false, "m").labels().isEmpty());
    }

    @Test
    void badLabelsAreRefusedNamingTheField() {
        var notMap = assertThrows(ModelFileException.class, () -> ModelFile.parse(BASE + "labels: [a]\n", false, "m"));
        assertEquals("labels", notMap.field(), notMap.getMessage());
        var nested = assertThrows(ModelFileException.class,
                () -> ModelFile.parse(BASE + "labels: {team: {a: 1}}\n", false, "m"));
        assertEquals("labels.team", nested.field(), nested.getMessage());
        var badKey = assertThrows(ModelFileException.class,
                () -> ModelFile.parse(BASE + "labels: {'-team': a}\n", false, "m"));
        assertTrue(badKey.getMessage().startsWith("labels: key '-team' must be"), badKey.getMessage());
        var longValue = assertThrows(ModelFileException.class,
                () -> ModelFile.parse(BASE + "labels: {team: " + "x".repeat(300) + "}\n", false, "m"));
        assertEquals("labels.team", longValue.field(), longValue.getMessage());
        assertTrue(longValue.getMessage().contains("at most 256 characters, got 300"), longValue.getMessage());
    }
}
