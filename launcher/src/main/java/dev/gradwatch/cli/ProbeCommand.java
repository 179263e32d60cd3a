package dev.gradwatch.cli;

import dev.gradwatch.events.EventCodec;
import dev.gradwatch.trainer.model.ModelFile;
import dev.gradwatch.trainer.train.GradientTable;
import dev.gradwatch.trainer.train.ProbeReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {"Prints the per-layer gradient norms of a model file's model at initialisation.",
                "One forward and backward pass on a batch: per-layer gradient norms, the first/last ratio and the",
                "average per-layer attenuation factor. With --table FILE, writes the gradient table of the classic",
                "cases instead (docs/gradient-table.md)."})
final class ProbeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL_FILE", arity = "0..1", description = "model file, .yaml/.yml or .json")
    Path modelFile;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Option(names = "--table", paramLabel = "FILE",
            description = "write the markdown gradient table (sigmoid/tanh/ReLU, depths 6/16/50, four inits, four architectures)")
    Path table;

    @Option(names = "--case", paramLabel = "ACT,DEPTH,INIT,ARCH",
            description = "print the model file of one case of the table, e.g. relu,16,he-normal,residual")
    String tableCase;

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
        if (table != null) {
            if (modelFile != null) throw new IllegalArgumentException("give either MODEL_FILE or --table, not both");
            Files.writeString(table, GradientTable.markdown());
            out.println("wrote " + table);
            out.flush();
            return 0;
        }
        if (tableCase != null) {
            String[] p = tableCase.split(",");
            if (p.length != 4) throw new IllegalArgumentException("--case expects ACT,DEPTH,INIT,ARCH, got \"" + tableCase + "\"");
            int depth;
            try {
                depth = Integer.parseInt(p[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--case: depth must be a whole number, got \"" + p[1] + "\"");
            }
            out.print(GradientTable.modelFile(p[0].trim(), depth, p[2].trim(), p[3].trim()));
            out.flush();
            return 0;
        }
        if (modelFile == null) throw new IllegalArgumentException("MODEL_FILE is required (or --table FILE)");
        ProbeReport report;
        try {
            report = ProbeReport.of(ModelFile.read(modelFile));
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        out.print(json ? EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report) + System.lineSeparator()
                : report.text());
        out.flush();
        return 0;
    }
}
