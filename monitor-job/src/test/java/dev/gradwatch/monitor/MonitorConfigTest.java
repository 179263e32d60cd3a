package dev.gradwatch.monitor;

import dev.gradwatch.events.Topics;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MonitorConfigTest {

    @Test
    void defaultsMatchTheDesign() {
        MonitorConfig c = MonitorConfig.defaults();
        assertEquals(Topics.STATS, c.statsTopic());
        assertEquals(Topics.ALERTS, c.alertsTopic());
        assertEquals(Topics.CONTROL, c.controlTopic());
        assertEquals(Topics.STATS_DEAD_LETTER, c.deadLetterTopic());
        assertEquals(10, c.detectors().windowSize());
        assertEquals(5, c.detectors().windowSlide());
        assertEquals(2, c.detectors().resolveAfterWindows());
        assertEquals(1e-7, c.detectors().vanishingFloor());
        assertEquals(1e-4, c.detectors().ratioFloor());
        assertEquals(1e3, c.detectors().explodingCeiling());
        assertEquals(100, c.detectors().growthFactor());
        assertEquals(10, c.clip().percentile());
        assertEquals(60_000, c.clip().commandTtlMs());
        assertEquals(10_000, c.checkpointIntervalMs());
        assertEquals(5, c.bufferTimeoutMs());
        assertEquals(0.5, c.detectors().attenuationFloor());
        assertEquals(8, c.detectors().spikeZ());
        assertEquals(1000, c.detectors().lossPatienceSteps());
        assertEquals("", c.rulesFile(), "no rules file unless --rules names one");
        assertEquals("", c.rulesTopic(), "rules fixed at start unless topic.rules names a topic");
        assertEquals(c.detectors(), c.rules().forRun("any-run"));
    }

    @Test
    void everyDetectorThresholdIsASettingWithItsDefault() {
        for (String key : dev.gradwatch.monitor.rules.DetectorKeys.asMap(dev.gradwatch.monitor.detect.DetectorConfig.DEFAULTS).keySet()) {
            assertTrue(MonitorConfig.KEYS.containsKey(key), key);
            assertTrue(MonitorConfig.usage().contains("--" + key), key);
        }
        MonitorConfig c = MonitorConfig.fromArgs("--update-ratio.max-log10", "-0.5", "--divergence.z", "5");
        assertEquals(-0.5, c.detectors().updateRatioMaxLog10());
        assertEquals(5, c.detectors().divergenceZ());
    }

    @Test
    void argumentsOverrideAConfigFileWhichOverridesDefaults(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("monitor.properties");
        Files.writeString(file, "window.size=20\nwindow.slide=10\nbootstrap.servers=kafka:9092\n");
        MonitorConfig c = MonitorConfig.fromArgs("--config", file.toString(), "--window.slide=4",
                "--exploding.ceiling", "50");
        assertEquals(20, c.detectors().windowSize());
        assertEquals(4, c.detectors().windowSlide());
        assertEquals(50, c.detectors().explodingCeiling());
        assertEquals("kafka:9092", c.bootstrapServers());
        assertEquals(c, MonitorConfig.fromMap(c.asMap()));
    }

    @Test
    void namesTheBadKeyAndWhatItExpects() {
        var unknown = assertThrows(IllegalArgumentException.class, () -> MonitorConfig.fromArgs("--window.sise", "3"));
        assertTrue(unknown.getMessage().contains("unknown key 'window.sise'"), unknown.getMessage());
        var notNumber = assertThrows(IllegalArgumentException.class, () -> MonitorConfig.fromArgs("--vanishing.floor", "tiny"));
        assertTrue(notNumber.getMessage().contains("vanishing.floor must be a number"), notNumber.getMessage());
        var slide = assertThrows(IllegalArgumentException.class, () -> MonitorConfig.fromArgs("--window.slide", "11"));
        assertTrue(slide.getMessage().contains("window.slide"), slide.getMessage());
    }

    @Test
    void commandKeysAreCheckedAtLoadWithoutEchoingTheSecret() {
        assertEquals("", MonitorConfig.defaults().commandKeys());
        String keys = dev.gradwatch.events.CommandSigner.randomKeySpec("k1");
        assertEquals(keys, MonitorConfig.fromMap(java.util.Map.of("command.keys", keys)).commandKeys());
        assertEquals("file:/run/secrets/keys",
                MonitorConfig.fromMap(java.util.Map.of("command.keys", "file:/run/secrets/keys")).commandKeys());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> MonitorConfig.fromMap(java.util.Map.of("command.keys", "k1:c2VjcmV0")));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("command.keys: "), e.getMessage());
        org.junit.jupiter.api.Assertions.assertFalse(e.getMessage().contains("c2VjcmV0"), e.getMessage());
    }

    @Test
    void stallAndAckSettingsHaveTheirDefaultsAndMustComeBeforeTheIdleCleanUp() {
        MonitorConfig c = MonitorConfig.defaults();
        assertEquals(60_000, c.stallTimeoutMs());
        assertEquals(10_000, c.ackTimeoutMs());
        assertEquals(Topics.ACKS, c.acksTopic());
        assertEquals(c, MonitorConfig.fromMap(c.asMap()));
        var e = assertThrows(IllegalArgumentException.class, () -> MonitorConfig.fromArgs(
                "--state.idle-timeout.ms", "120000", "--command.ack-timeout.ms", "120000"));
        assertTrue(e.getMessage().startsWith("command.ack-timeout.ms (120000) must be shorter than state.idle-timeout.ms"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MonitorConfig.fromArgs("--stall.timeout.ms", "10"));
        assertTrue(e.getMessage().startsWith("stall.timeout.ms must be >= 1000"), e.getMessage());
        assertTrue(MonitorConfig.usage().contains("--topic.acks"));
    }
}
