package dev.gradwatch.demo;

import dev.gradwatch.trainer.train.ModelSpec;

/** The three demo trainers: what each trains and what the monitor should make of it. */
public enum Scenario {
    VANISHING("vanishing", ModelSpec.vanishingDemo()),
    EXPLODING("exploding", ModelSpec.explodingDemo()),
    HEALTHY("healthy", ModelSpec.healthyDemo());

    private final String label;
    private final ModelSpec model;

    Scenario(String label, ModelSpec model) {
        this.label = label;
        this.model = model;
    }

    public String label() {
        return label;
    }

    public ModelSpec model() {
        return model;
    }
}
