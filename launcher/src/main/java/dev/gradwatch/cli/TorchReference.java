package dev.gradwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradwatch.events.EventCodec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs the PyTorch reference script in a child process and reads its median step times. */
final class TorchReference {

    private TorchReference() {
    }

    static Map<String, Double> run(String python, int warmup, int steps, int threads, String dtype)
            throws IOException, InterruptedException {
        Path script = locateScript();
        ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--warmup", Integer.toString(warmup),
                "--steps", Integer.toString(steps), "--threads", Integer.toString(threads), "--dtype", dtype);
        // PyTorch as its users run it: with OpenBLAS's default spin, not the shorter one gradwatch sets for itself
        pb.environment().remove("OPENBLAS_THREAD_TIMEOUT");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        Map<String, Double> medians = new LinkedHashMap<>();
        StringBuilder other = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("{")) {
                    JsonNode n = EventCodec.mapper().readTree(line);
                    medians.put(n.get("config").asText(), n.get("median_ms").asDouble());
                } else {
                    other.append(line).append('\n');
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalArgumentException("PyTorch reference failed (needs Debian's python3-torch and "
                    + "libopenblas0-pthread):\n" + other);
        }
        return medians;
    }

    private static Path locateScript() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("bench/pytorch_mlp_step.py");
            if (Files.isRegularFile(p)) return p;
        }
        String home = System.getenv("GRADWATCH_HOME");
        if (home != null && Files.isRegularFile(Path.of(home, "bench/pytorch_mlp_step.py"))) {
            return Path.of(home, "bench/pytorch_mlp_step.py");
        }
        throw new IllegalArgumentException("bench/pytorch_mlp_step.py not found; run from the GradWatch checkout");
    }
}
