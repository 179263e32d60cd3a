package dev.gradwatch.demo;

import dev.gradwatch.trainer.model.ModelFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The three demo trainers: what each trains and what the monitor should make of it. Each trains a
 * model file of {@code examples/models} ({@code demo-vanishing.yaml}, {@code demo-exploding.yaml},
 * {@code demo-healthy.yaml}), packaged on the classpath under {@code /models}; the {@code ModelSpec}
 * presets of the trainer describe the same runs (a trainer test keeps them bit-identical).
 */
public enum Scenario {
    VANISHING("vanishing"),
    EXPLODING("exploding"),
    HEALTHY("healthy");

    private final String label;
    private volatile ModelFile model;

    Scenario(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Where the model file is on the classpath. */
    public String resource() {
        return "/models/demo-" + label + ".yaml";
    }

    /** The scenario's model file, read and checked on first use. */
    public ModelFile modelFile() {
        ModelFile m = model;
        if (m == null) {
            try (InputStream in = Scenario.class.getResourceAsStream(resource())) {
                if (in == null) throw new IllegalStateException("demo model file " + resource() + " is not on the classpath");
                m = ModelFile.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), false, "demo-" + label);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read demo model file " + resource(), e);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(resource() + ": " + e.getMessage(), e);
            }
            model = m;
        }
        return m;
    }
}
