package dev.gradwatch.cli;

import dev.gradwatch.trainer.model.ModelFile;
import dev.gradwatch.trainer.train.ModelRun;
import dev.gradwatch.trainer.engine.MatrixOps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains the model of a model file; prints progress, test accuracy and wall time.",
                "Model files are YAML or JSON; the format and examples are in examples/models/.",
                "Classification runs end with the test accuracy, regression runs with the test loss."})
final class TrainCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL_FILE", description = "model file, .yaml/.yml or .json")
    Path modelFile;

    @Option(names = "--seed", description = "overrides the file's seed")
    Long seed;

    @Option(names = "--steps", description = "overrides the file's steps or epochs")
    Long steps;

    @Option(names = "--reports", defaultValue = "20", description = "progress lines over the run (default: ${DEFAULT-VALUE})")
    int reports;

    /** How progress is shown. */
    enum ProgressStyle { auto, bar, lines }

    @Option(names = "--progress", defaultValue = "auto", paramLabel = "STYLE",
            description = "bar (one line redrawn in place), lines (--reports lines, for logs) or auto: a bar when "
                    + "the output is a terminal (default: ${DEFAULT-VALUE})")
    ProgressStyle progress;

    @Spec
    CommandSpec spec;

    @Mixin
    BackendOption backend;

    @Override
    public Integer call() throws Exception {
        return backend.around(this::execute);
    }

    private Integer execute() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ModelFile file;
        try {
            file = ModelFile.read(modelFile);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (seed != null) file = file.withSeed(seed);
        if (steps != null) {
            if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
            file = file.withSteps(steps);
        }
        long loadStart = System.nanoTime();
        ModelRun run;
        try {
            run = ModelRun.create(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        out.printf(Locale.ROOT, "%s: %d parameters, %d steps of batch %d, %s, data %s loaded in %.1f s, matrix backend %s%n",
                file.name(), run.model().parameterCount(), run.totalSteps(), file.batch(), file.optimizer().type(),
                file.data().type(), (System.nanoTime() - loadStart) / 1e9, MatrixOps.backend().id());
        out.flush();
        boolean bar = progress == ProgressStyle.bar || (progress == ProgressStyle.auto && System.console() != null);
        Progress progressListener = new Progress(out, run.totalSteps(),
                Math.max(1, run.totalSteps() / Math.max(1, reports)), file.batch(), bar);
        ModelRun.Result r = run.run(progressListener);
        ModelRun.Evaluation e = r.test();
        String samples = file.data().sequence() ? "sequences" : "samples";
        if (e.classification() && file.data().targetsEveryTimeStep()) {
            out.printf(Locale.ROOT, "test accuracy %.2f%% over every time step of %d sequences (test loss %.4f)%n", 100 * e.accuracy(),
                    e.samples(), e.loss());
        } else if (e.classification()) {
            out.printf(Locale.ROOT, "test accuracy %.2f%% on %d samples (test loss %.4f)%n", 100 * e.accuracy(), e.samples(), e.loss());
        } else {
            out.printf(Locale.ROOT, "test loss %.4g on %d %s%n", e.loss(), e.samples(), samples);
            double baseline = file.data().baselineLoss();
            if (!Double.isNaN(baseline)) {
                out.printf(Locale.ROOT, "baseline (always predicting the expected sum 1): test MSE 2/12 = %.4f; this model %s it%n",
                        baseline, e.loss() < baseline ? "beats" : "does not beat");
            }
        }
        out.printf(Locale.ROOT, "%d steps (%d skipped: non-finite gradient), final batch loss %.4g, wall time %.1f s%n",
                r.steps(), r.skipped(), r.finalLoss(), r.seconds());
        out.flush();
        return 0;
    }

    /**
     * Shows step, mean loss since the last report, the global gradient norm before clipping of the
     * step, throughput and ETA, and the test accuracy after each epoch: as a line every {@code every}
     * steps, or as a bar redrawn in place (with carriage returns) about ten times a second and at the
     * end, the epoch lines printed above it.
     */
    static final class Progress implements ModelRun.Listener {
        private final PrintWriter out;
        private final long total;
        private final long every;
        private final int batch;
        private final long start = System.nanoTime();
        private double lossSum;
        private int lossCount;
        private long epochs;
        private final boolean bar;
        /** Length of the bar line last drawn, to blank it out; 0 when none is showing. */
        private int drawn;
        private long lastDrawNanos;

        /** Redraws of the bar at most this often; the final state is always drawn. */
        private static final long REDRAW_NANOS = 100_000_000L;
        static final int BAR_WIDTH = 20;
        static final int MAX_BAR_LINE = 79;

        Progress(PrintWriter out, long total, long every, int batch, boolean bar) {
            this.out = out;
            this.total = total;
            this.every = every;
            this.batch = batch;
            this.bar = bar;
        }

        @Override
        public void onStep(ModelRun run, ModelRun.Step s) {
            lossSum += s.loss();
            lossCount++;
            long done = s.step() + 1;
            if (run.epochsDone() > epochs) {
                // evaluation mode reads no random stream, so this leaves the run bit-identical
                epochs = run.epochsDone();
                ModelRun.Evaluation e = run.evaluate();
                clearBar();
                out.printf(Locale.ROOT, "epoch %d: test accuracy %.2f%% (test loss %.4f)%n", epochs, 100 * e.accuracy(), e.loss());
            }
            long now = System.nanoTime();
            if (bar ? done != total && now - lastDrawNanos < REDRAW_NANOS : done % every != 0 && done != total) return;
            lastDrawNanos = now;
            double elapsed = (now - start) / 1e9;
            double perSecond = done / elapsed;
            double eta = (total - done) / perSecond;
            if (bar) {
                String figures = String.format(Locale.ROOT, "loss %.4g |g| %.3g %.0f/s ETA %s%s", lossSum / lossCount,
                        s.gradNorm(), perSecond, duration(eta),
                        run.skippedSteps() > 0 ? " skipped " + run.skippedSteps() : "");
                String line = barLine(done, total, figures);
                // within an 80-column terminal whatever the figures: a wrapped line cannot be redrawn in place
                if (line.length() > MAX_BAR_LINE) line = line.substring(0, MAX_BAR_LINE);
                // the carriage return goes back to the line's start; spaces blank what a longer line left
                out.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
                drawn = line.length();
                if (done == total) {
                    out.println();
                    drawn = 0;
                }
            } else {
                out.printf(Locale.ROOT, "step %6d/%d  loss %.4f  |g| %.3g  %.1f steps/s  %.0f samples/s  lr %.3g  skipped %d  ETA %s%n",
                        done, total, lossSum / lossCount, s.gradNorm(), perSecond, perSecond * batch, run.learningRate(),
                        run.skippedSteps(), duration(eta));
            }
            out.flush();
            lossSum = 0;
            lossCount = 0;
        }

        /** {@code [#####.....]  42% 1260/3000 figures}: the bar, filled in proportion to the steps done. */
        static String barLine(long done, long total, String figures) {
            int filled = (int) (BAR_WIDTH * done / Math.max(1, total));
            return String.format(Locale.ROOT, "[%s%s] %3d%% %d/%d %s", "#".repeat(filled),
                    ".".repeat(BAR_WIDTH - filled), 100 * done / Math.max(1, total), done, total, figures);
        }

        /** Blanks the bar line, if one shows, so that a line can be printed in its place. */
        private void clearBar() {
            if (drawn == 0) return;
            out.print("\r" + " ".repeat(drawn) + "\r");
            drawn = 0;
        }

        private static String duration(double seconds) {
            long s = Math.round(seconds);
            return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
        }
    }
}
