package dev.gradwatch.cli;

import dev.gradwatch.monitor.MonitorConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gradwatch} command line: the demo, and each part started against a real cluster. */
@Command(name = "gradwatch", mixinStandardHelpOptions = true, version = "gradwatch 0.1.0",
        description = "Watches the gradients of neural networks while they train.",
        subcommands = {DemoCommand.class, WorkerCommand.class, MonitorCommand.class, AlertsCommand.class, BenchCommand.class,
                TrainCommand.class, ProbeCommand.class,
                CommandLine.HelpCommand.class})
public final class GradWatchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** The command line with its settings; tests run it the same way {@link #main} does. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new GradWatchCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        // a bad setting is the user's to fix: say what is wrong, without a stack trace
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (!(ex instanceof IllegalArgumentException)) throw ex;
            cmd.getErr().println("gradwatch " + cmd.getCommandName() + ": " + ex.getMessage());
            return 2;
        });
        cl.getSubcommands().get("monitor").getCommandSpec().usageMessage()
                .footer("%nSettings for --set KEY=VALUE, with their defaults:%n" + MonitorConfig.usage().replace("%", "%%"));
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
