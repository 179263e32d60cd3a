package dev.gradwatch.trainer.train;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class GradientTableTest {

    @Test
    void theCommittedTableIsWhatTheCommandWritesNow() throws IOException {
        Path doc = Path.of("..", "docs", "gradient-table.md");
        assertTrue(Files.isRegularFile(doc), "docs/gradient-table.md is missing; run ./gradwatch probe --table docs/gradient-table.md");
        assertEquals(GradientTable.markdown(), Files.readString(doc),
                "docs/gradient-table.md is stale; regenerate it with ./gradwatch probe --table docs/gradient-table.md");
    }

    @Test
    void theClassicCasesComeOutAsTheTheorySays() {
        // sigmoid with PyTorch's default init: σ′ ≤ 1/4 and a weight gain of about 0.58 per layer
        ProbeReport vanishing = GradientTable.probe("sigmoid", 16, "pytorch-default", "plain");
        assertTrue(vanishing.attenuation() < 0.3, "factor " + vanishing.attenuation());
        assertTrue(vanishing.firstLastRatio() < 1e-6, "ratio " + vanishing.firstLastRatio());
        // ReLU with He init keeps the gradient about steady
        ProbeReport he = GradientTable.probe("relu", 16, "he-normal", "plain");
        assertTrue(he.attenuation() > 0.7 && he.attenuation() < 1.4, "factor " + he.attenuation());
        // the identity paths of residual blocks carry the gradient past the sigmoid layers: ten orders of magnitude more reach the input
        ProbeReport residual = GradientTable.probe("sigmoid", 16, "pytorch-default", "residual");
        assertTrue(residual.firstLastRatio() > 1e6 * vanishing.firstLastRatio(),
                "ratio " + residual.firstLastRatio() + " against " + vanishing.firstLastRatio() + " without residual blocks");
        assertEquals(16, vanishing.layers().size());
        assertEquals(16 + 15, GradientTable.probe("tanh", 16, "xavier-normal", "batchnorm").layers().size(),
                "16 dense layers and a batch norm after each of the 15 hidden ones");
    }
}
