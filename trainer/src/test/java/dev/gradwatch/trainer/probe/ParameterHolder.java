package dev.gradwatch.trainer.probe;

import dev.gradwatch.trainer.engine.Parameter;

import java.util.List;

/** A layer that only holds parameters, so a probe test can set gradients and weights by hand. */
record ParameterHolder(String name, List<Parameter> parameters) implements IdentityLayer {
}
