package dev.gradwatch.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** One in-process run of the {@code gradwatch} command line, with what it printed; shared by the CLI tests. */
record CliRun(int exit, String out, String err) {

    /** The example model files, relative to the launcher module's directory (where the tests run). */
    static final Path EXAMPLES = Path.of("..", "examples", "models");

    static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = GradWatchCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
