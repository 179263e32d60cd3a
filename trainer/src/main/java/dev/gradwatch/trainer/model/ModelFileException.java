package dev.gradwatch.trainer.model;

/**
 * A model file that cannot be used, with the path of the offending field
 * ({@code layers[3].activation}) and what was expected there.
 */
public final class ModelFileException extends IllegalArgumentException {

    private final String field;

    public ModelFileException(String field, String message) {
        super(field.isEmpty() ? message : field + ": " + message);
        this.field = field;
    }

    private ModelFileException(String field, String fullMessage, boolean unused) {
        super(fullMessage);
        this.field = field;
    }

    /** The same error with the file it came from in front: {@code model.yaml: layers[3].size: …}. */
    public ModelFileException in(String source) {
        return new ModelFileException(field, source + ": " + getMessage(), true);
    }

    /** The field path, e.g. {@code optimizer.lr}; empty for the file as a whole. */
    public String field() {
        return field;
    }
}
