package dev.gradwatch.cli;

import dev.gradwatch.demo.Scenario;
import dev.gradwatch.events.CommandSigner;
import dev.gradwatch.events.Topics;
import dev.gradwatch.trainer.TrainerWorker;
import dev.gradwatch.trainer.model.ModelFile;
import dev.gradwatch.trainer.train.Trainable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Runs one training worker that publishes gradient statistics to Kafka and obeys the monitor.")
final class WorkerCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers")
    String bootstrap;

    @Option(names = "--run", required = true, description = "run id")
    String runId;

    @Option(names = "--worker", defaultValue = "w0", description = "worker id (default: ${DEFAULT-VALUE})")
    String workerId;

    @Option(names = "--scenario", defaultValue = "healthy",
            description = {"model to train: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}), the demo's model files",
                    "examples/models/demo-<scenario>.yaml"})
    Scenario scenario;

    @Option(names = "--model", paramLabel = "FILE",
            description = "train this model file (YAML or JSON, see examples/models) instead of a --scenario preset")
    java.nio.file.Path modelFile;

    @Option(names = "--steps", defaultValue = "1000", description = "steps to train (default: ${DEFAULT-VALUE})")
    long steps;

    @Option(names = "--steps-per-second", defaultValue = "0", description = "pace, 0 = as fast as possible")
    double stepsPerSecond;

    @Option(names = "--command-keys", defaultValue = "${env:GRADWATCH_COMMAND_KEYS}", paramLabel = "ID:BASE64[,...]",
            description = {"keys control commands must be signed with (default: $GRADWATCH_COMMAND_KEYS);",
                    "without keys, unsigned commands are accepted"})
    String commandKeys;

    @Option(names = "--label", paramLabel = "KEY=VALUE",
            description = {"a run label put on every statistics record (repeatable), e.g. --label team=vision;",
                    "the monitor's rules file can select thresholds by labels; wins over the model file's labels"})
    Map<String, String> labels = new LinkedHashMap<>();

    @Mixin
    BackendOption backend;

    @Override
    public Integer call() throws Exception {
        return backend.around(this::execute);
    }

    private Integer execute() throws Exception {
        ModelFile file = modelFile != null ? ModelFile.read(modelFile) : null;
        Map<String, String> runLabels = new LinkedHashMap<>(file != null ? file.labels() : scenario.modelFile().labels());
        runLabels.putAll(labels);
        try {
            dev.gradwatch.events.StepStats.checkLabels(runLabels);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--label: " + e.getMessage(), e);
        }
        TrainerWorker.Config config = new TrainerWorker.Config(bootstrap, Topics.STATS, Topics.CONTROL,
                Topics.ACKS, runId, workerId, Trainable.Factory.of(file != null ? file : scenario.modelFile().withSteps(steps)),
                steps, stepsPerSecond, 10_000,
                commandKeys == null ? null : CommandSigner.parse(commandKeys), runLabels);
        TrainerWorker w = new TrainerWorker(config,
                (worker, r) -> {
                    if (r.step() % 100 == 0) {
                        System.out.printf(Locale.ROOT, "step %d loss %.4g clip %.3g%n", r.step(), r.loss(), worker.clipNorm());
                    }
                });
        w.run();
        System.out.printf(Locale.ROOT, "done: %d steps, final loss %.4g, %d statistics published, %d dropped, "
                        + "%d steps skipped (non-finite), %d commands applied, %d rejected%n",
                w.stepsDone(), w.lastLoss(), w.published(), w.droppedStats(), w.skippedSteps(),
                w.appliedControls().size(), w.rejectedCommands());
        return 0;
    }
}
