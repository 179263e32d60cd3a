package dev.gradwatch.monitor.job;

import dev.gradwatch.events.CommandSigner;
import dev.gradwatch.events.ControlCommand;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Signs each control command with the first configured key, so that trainers holding the keys
 * obey only this job. Keys come inline ({@code keyId:base64,...}) or from {@code file:/path},
 * read when the task opens so that the secret need not travel inside the job graph.
 */
public final class SignCommandFunction extends RichMapFunction<ControlCommand, ControlCommand> {

    private final String keys;
    private transient CommandSigner signer;

    public SignCommandFunction(String keys) {
        this.keys = keys;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        String spec = keys;
        if (spec.startsWith("file:")) {
            Path file = Path.of(spec.substring("file:".length()));
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("command.keys: file " + file + " does not exist");
            }
            spec = Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        signer = CommandSigner.parse(spec);
    }

    @Override
    public ControlCommand map(ControlCommand command) {
        return signer.sign(command);
    }
}
