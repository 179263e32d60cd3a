package dev.gradwatch.monitor.rules;

import dev.gradwatch.monitor.MonitorConfig;
import dev.gradwatch.monitor.detect.DetectorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RulesFileTest {

    private static String example() throws Exception {
        try (InputStream in = RulesFileTest.class.getResourceAsStream("/rules-default.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theShippedExampleLoadsAndEqualsTheBuiltInDefaults() throws Exception {
        RulesFile f = RulesFile.parse(example(), "rules-default.yaml");
        assertEquals(DetectorKeys.asMap(DetectorConfig.DEFAULTS).keySet(), f.defaults().keySet(),
                "the example lists every key");
        RuleSet rules = f.toRuleSet();
        assertEquals(DetectorConfig.DEFAULTS, rules.defaults());
        assertTrue(rules.overrides().isEmpty());
    }

    @Test
    void theShippedExamplesCommentedOverridesParseAndMeanWhatTheCommentSays() throws Exception {
        String text = example();
        String tail = text.substring(text.indexOf("overrides: []") + "overrides: []".length());
        StringBuilder yaml = new StringBuilder("overrides:\n");
        for (String line : tail.split("\n")) {
            if (line.startsWith("#  ")) yaml.append(line.substring(1)).append('\n');
        }
        RuleSet rules = RulesFile.parse(yaml.toString(), "rules-default.yaml (commented overrides)").toRuleSet();
        assertEquals(3, rules.overrides().size(), yaml.toString());
        assertEquals(1e5, rules.forRun("bench-1", Map.of("team", "vision")).explodingCeiling(), "first match wins");
        assertEquals(10, rules.forRun("prod-1", Map.of("team", "vision")).spikeZ());
        assertEquals(1e4, rules.forRun("bench-1").explodingCeiling());
    }

    @Test
    void anOverrideAppliesToMatchingRunsOnTopOfTheFileDefaults() {
        String yaml = """
                version: 1
                defaults:
                  window: {size: 20, slide: 10}
                  spike.z: 9
                overrides:
                  - match: {run-id: "bench-*"}
                    set:
                      exploding:
                        ceiling: 1.0e4
                  - match: {run-id: "bench-special"}
                    set: {spike.z: 12}
                  - match: {run-id: "r?"}
                    set: {dead-relu.fraction: "0.8"}
                """;
        RuleSet rules = RulesFile.parse(yaml, "test.yaml").toRuleSet();
        assertEquals(20, rules.defaults().windowSize());
        assertEquals(9, rules.defaults().spikeZ());
        assertEquals(DetectorConfig.DEFAULTS.explodingCeiling(), rules.defaults().explodingCeiling());
        DetectorConfig bench = rules.forRun("bench-42");
        assertEquals(1e4, bench.explodingCeiling());
        assertEquals(20, bench.windowSize(), "an override starts from the file's defaults");
        assertEquals(9, bench.spikeZ());
        assertSame(bench, rules.forRun("bench-special"), "the first matching override wins");
        assertEquals(0.8, rules.forRun("r7").deadFraction());
        assertSame(rules.defaults(), rules.forRun("r77"));
        assertSame(rules.defaults(), rules.forRun("prod-bench-1"), "a glob matches the whole run id");
    }

    @Test
    void overridesSelectByLabelsByRunIdOrBothAndTheFirstMatchInFileOrderWins() {
        String yaml = """
                overrides:
                  - match: {run-id: "exp-*", labels: {team: vision}}
                    set: {spike.z: 20}
                  - match: {labels: {team: vision}}
                    set: {spike.z: 10}
                  - match: {labels: {team: nlp, tier: "gpu-*"}}
                    set: {spike.z: 11}
                  - match: {run-id: "exp-*"}
                    set: {spike.z: 12}
                """;
        RuleSet rules = RulesFile.parse(yaml, "test.yaml").toRuleSet();
        assertTrue(rules.usesLabels());
        Map<String, String> vision = Map.of("team", "vision");
        assertEquals(20, rules.forRun("exp-1", vision).spikeZ(), "both conditions hold: the first entry");
        assertEquals(10, rules.forRun("prod-1", vision).spikeZ(), "labels alone");
        assertEquals(10, rules.forRun("prod-1", Map.of("team", "vision", "extra", "x")).spikeZ(),
                "other labels do not matter");
        assertEquals(11, rules.forRun("prod-1", Map.of("team", "nlp", "tier", "gpu-a100")).spikeZ(),
                "every label given must match, values are globs");
        assertEquals(DetectorConfig.DEFAULTS.spikeZ(), rules.forRun("prod-1", Map.of("team", "nlp")).spikeZ(),
                "a missing label is no match");
        assertEquals(12, rules.forRun("exp-1", Map.of("team", "nlp")).spikeZ(), "run id alone");
        assertEquals(12, rules.forRun("exp-1").spikeZ(), "a run without labels matches run-id overrides only");
        assertEquals(DetectorConfig.DEFAULTS.spikeZ(), rules.forRun("prod-1").spikeZ());
        assertTrue(!RulesFile.parse("overrides: [{match: {run-id: a}, set: {spike.z: 9}}]", "t").toRuleSet().usesLabels());
    }

    @Test
    void errorsNameTheKeyWhereItIsAndWhatIsExpected() {
        assertError("defaults: {window: {sise: 3}}", "rules file t.yaml: defaults: unknown key 'window.sise'; known keys: window.size");
        assertError("defaults: {spike.z: high}", "rules file t.yaml: defaults: spike.z must be a number, got 'high'");
        assertError("defaults: {window.slide: 11}", "window.slide must be between 1 and window.size (10), got 11");
        assertError("defaults: {dead-relu.fraction: 1.5}", "dead-relu.fraction must be a number in (0, 1), got 1.5");
        assertError("defaults: {update-ratio: {min-log10: -1, max-log10: -2}}",
                "update-ratio.min-log10 (-1.0) must be below update-ratio.max-log10 (-2.0)");
        assertError("defaults: {window.size: [1, 2]}", "defaults: window.size must be a number, got array");
        assertError("version: 2", "version must be 1, got 2");
        assertError("thresholds: {}", "unknown top-level key 'thresholds'; expected version, defaults, overrides");
        assertError("overrides: [{match: {run-id: 'a*'}, set: {spike.z: -1}}]",
                "overrides[0] (run-id 'a*'): spike.z must be a finite number > 0, got -1.0");
        assertError("overrides: [{match: {run-id: 'a*'}}]", "overrides[0].set must set at least one key");
        assertError("overrides: [{set: {spike.z: 9}}]", "overrides[0]: match must be a mapping with run-id, labels or both");
        assertError("overrides: [{match: {}, set: {spike.z: 9}}]", "overrides[0]: match must be a mapping with run-id, labels or both");
        assertError("overrides: [{match: {team: a}, set: {spike.z: 9}}]",
                "overrides[0].match: unknown key 'team'; expected run-id, labels");
        assertError("overrides: [{match: {labels: {team: a}}, set: {spike.z: -1}}]",
                "overrides[0] (labels {team=a}): spike.z must be a finite number > 0");
        assertError("overrides: [{match: {labels: {team: ''}}, set: {spike.z: 9}}]",
                "overrides[0].match.labels.team must be a non-empty string");
        assertError("overrides: [{match: {labels: {team: [a, b]}}, set: {spike.z: 9}}]",
                "overrides[0].match.labels.team must be a non-empty string");
        assertError("overrides: [{match: {labels: {'bad key': a}}, set: {spike.z: 9}}]",
                "overrides[0].match.labels: key 'bad key' must be 1 to 63 letters");
        assertError("overrides: [{match: {labels: []}, set: {spike.z: 9}}]",
                "overrides[0].match.labels must be a non-empty mapping of label names to value globs");
        assertError("defaults: [", "is not valid YAML");
        assertError("defaults: {flap.within-windows: -1}",
                "defaults: flap.within-windows must be >= 0 (0 turns flap damping off), got -1");
        assertError("defaults: {flap.within-windows: 2.5}", "defaults: flap.within-windows must be an integer, got '2.5'");
        assertError("defaults: {flap: {max-resolve-windows: 1}}",
                "defaults: flap.max-resolve-windows must be >= resolve.after-windows (2), got 1");
        assertError("overrides: [{match: {run-id: 'a*'}, set: {resolve.after-windows: 40}}]",
                "overrides[0] (run-id 'a*'): flap.max-resolve-windows must be >= resolve.after-windows (40), got 32");
    }

    private static void assertError(String yaml, String expected) {
        var e = assertThrows(IllegalArgumentException.class, () -> RulesFile.parse(yaml, "t.yaml").toRuleSet());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void theMonitorConfigReadsRulesWithCommandLineKeysWinning(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, """
                defaults:
                  spike: {z: 9, min-ratio: 4}
                overrides:
                  - match: {run-id: "noisy-*"}
                    set: {spike.z: 15}
                """);
        MonitorConfig c = MonitorConfig.fromArgs("--rules", file.toString(), "--spike.min-ratio", "5");
        assertEquals(9, c.detectors().spikeZ());
        assertEquals(5, c.detectors().spikeMinRatio(), "the command line wins over the file");
        assertEquals(15, c.rules().forRun("noisy-1").spikeZ());
        assertEquals(5, c.rules().forRun("noisy-1").spikeMinRatio());
        assertEquals(c, MonitorConfig.fromMap(c.asMap()));
        assertEquals(c.rules(), c.with(Map.of()).rules());

        var missing = assertThrows(IllegalArgumentException.class,
                () -> MonitorConfig.fromArgs("--rules", dir.resolve("nope.yaml").toString()));
        assertTrue(missing.getMessage().startsWith("cannot read rules file"), missing.getMessage());
    }

    @Test
    void flapDampingIsSetInTheDefaultsAndPerRun() {
        String yaml = """
                defaults:
                  flap: {within-windows: 6, max-resolve-windows: 16}
                overrides:
                  - match: {run-id: "noisy-*"}
                    set: {flap.max-resolve-windows: 64}
                  - match: {labels: {alerts: raw}}
                    set: {flap.within-windows: 0}
                """;
        RuleSet rules = RulesFile.parse(yaml, "t.yaml").toRuleSet();
        assertEquals(6, rules.defaults().flapWithinWindows());
        assertEquals(16, rules.defaults().flapMaxResolveWindows());
        assertEquals(6, rules.forRun("noisy-1").flapWithinWindows(), "an override starts from the file's defaults");
        assertEquals(64, rules.forRun("noisy-1").flapMaxResolveWindows());
        assertEquals(0, rules.forRun("r1", Map.of("alerts", "raw")).flapWithinWindows());
        assertEquals(16, rules.forRun("r1", Map.of("alerts", "raw")).flapMaxResolveWindows());
    }
}
