package dev.gradwatch.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gradwatch.events.EventCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** The demo's three trainers against a real broker and a real MiniCluster, judged by its summary. */
class DemoEndToEndTest {

    @Test
    void vanishingAndExplodingRunsAlertHealthyRunStaysQuietAndTheClipCommandClosesTheLoop(@TempDir Path dir)
            throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Path file = dir.resolve("summary.json");
        DemoSummary summary = new Demo(new Demo.Options(240, 60, file, false),
                new PrintStream(console, true, StandardCharsets.UTF_8)).run();
        Demo.writeSummary(summary, file);
        String printed = console.toString(StandardCharsets.UTF_8);

        Map<String, DemoSummary.Run> byScenario = summary.runs().stream()
                .collect(Collectors.toMap(DemoSummary.Run::scenario, Function.identity()));
        assertEquals(3, byScenario.size(), printed);

        DemoSummary.Run vanishing = byScenario.get("vanishing");
        assertTrue(vanishing.alerts().stream().anyMatch(a -> a.rule().startsWith("vanishing")), printed);
        assertTrue(vanishing.alerts().stream().noneMatch(a -> a.rule().startsWith("exploding")), printed);
        assertEquals(240, vanishing.steps());

        DemoSummary.Run exploding = byScenario.get("exploding");
        assertTrue(exploding.alerts().stream().anyMatch(a -> a.rule().startsWith("exploding")), printed);
        assertFalse(exploding.controlApplied().isEmpty(), "the exploding trainer applied no command\n" + printed);
        DemoSummary.ControlApplied clip = exploding.controlApplied().get(0);
        assertEquals("SET_CLIP_NORM", clip.type());
        assertTrue(clip.value() > 0 && Double.isFinite(clip.value()), "clip value " + clip.value());
        assertFalse(exploding.controlAcknowledged().isEmpty(), "no acknowledgement seen\n" + printed);
        // the monitor signs with the demo's key and the trainer verifies: nothing refused
        assertEquals(0, exploding.controlRejected(), printed);
        assertTrue(Double.isFinite(exploding.finalLoss()), "exploding run ended with loss " + exploding.finalLoss());
        assertTrue(clip.step() < exploding.steps() - 100, "clip came too late to train on: step " + clip.step());

        DemoSummary.Run healthy = byScenario.get("healthy");
        assertEquals(0, healthy.alerts().size(), "healthy run alerted: " + healthy.alerts() + "\n" + printed);
        assertTrue(healthy.controlApplied().isEmpty());
        assertTrue(Double.isFinite(healthy.finalLoss()));

        for (DemoSummary.Run r : summary.runs()) {
            assertEquals(0, r.statsDropped(), r.runId() + " dropped statistics");
            assertEquals(r.steps(), r.statsPublished(), r.runId() + " published");
        }

        // the summary file is the contract scripts rely on
        JsonNode json = EventCodec.mapper().readTree(file.toFile());
        for (JsonNode run : json.get("runs")) {
            for (String f : new String[]{"runId", "scenario", "steps", "finalLoss", "alerts", "controlApplied"}) {
                assertTrue(run.has(f), "summary run lacks " + f);
            }
        }
        assertTrue(printed.contains("[control] demo-exploding/w0 applied"), printed);
    }
}
