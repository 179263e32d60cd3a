package dev.gradwatch.cli;

import org.junit.jupiter.api.Test;

import static dev.gradwatch.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

class GradWatchCommandTest {

    @Test
    void anUnknownMonitorSettingNamesTheKeyAndTheKnownOnes() {
        CliRun r = run("monitor", "--bootstrap", "127.0.0.1:1", "--set", "exploding.cieling=5");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("unknown key 'exploding.cieling'"), r.err());
        assertTrue(r.err().contains("exploding.ceiling"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace for a bad setting: " + r.err());
    }

    @Test
    void aBadMonitorValueNamesTheKeyAndWhatIsExpected() {
        CliRun r = run("monitor", "--bootstrap", "127.0.0.1:1", "--set", "growth.factor=0.5");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("growth.factor must be a finite number > 1"), r.err());
    }

    @Test
    void anUnknownScenarioListsTheValidOnesAndScenariosIgnoreCase() {
        CliRun r = run("worker", "--bootstrap", "127.0.0.1:1", "--run", "r", "--scenario", "wobbly");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("VANISHING, EXPLODING, HEALTHY"), r.err());
        assertTrue(run("worker", "--help").out().contains("--scenario"));
    }

    @Test
    void aBadWorkerLabelIsRefusedNamingItBeforeAnythingStarts() {
        CliRun r = run("worker", "--bootstrap", "127.0.0.1:1", "--run", "r", "--label", "team=vision",
                "--label", "bad key=x");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--label: labels: key 'bad key' must be"), r.err());
        assertTrue(run("worker", "--help").out().contains("--label=KEY=VALUE"));
    }

    @Test
    void demoRejectsTooFewSteps() {
        CliRun r = run("demo", "--steps", "3");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("--steps must be at least 50"), r.err());
    }

    @Test
    void monitorHelpListsEverySettingWithItsDefault() {
        CliRun r = run("monitor", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("--exploding.ceiling") && r.out().contains("1000.0"), r.out());
    }
}
