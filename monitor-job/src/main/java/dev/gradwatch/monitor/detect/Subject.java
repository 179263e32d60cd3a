package dev.gradwatch.monitor.detect;

/**
 * Who a detector is judging: a run's worker and, for layer rules, one layer.
 *
 * @param layerIndex -1 when the subject is the whole step
 * @param layerKind  the layer's kind, e.g. {@code dense/sigmoid}; for the whole step, the
 *                   distinct kinds of its layers joined with commas
 */
public record Subject(String runId, String workerId, int layerIndex, String layerName, String layerKind) {

    public Subject {
        layerName = layerName == null ? "" : layerName;
        layerKind = layerKind == null ? "" : layerKind;
    }

    public static Subject step(String runId, String workerId, String kinds) {
        return new Subject(runId, workerId, -1, "", kinds);
    }

    /** The same worker, naming one of its layers. */
    public Subject layer(int index, String name, String kind) {
        return new Subject(runId, workerId, index, name, kind);
    }

    /**
     * "layer 3 dense3 (dense/sigmoid) of run r worker w", or "run r worker w" for the whole step
     * (after its name, when it has one), for summaries.
     */
    public String describe() {
        String worker = "run " + runId + " worker " + workerId;
        if (layerIndex < 0) return layerName.isEmpty() ? worker : layerName + " of " + worker;
        return "layer " + layerIndex + " " + layerName + (layerKind.isEmpty() ? "" : " (" + layerKind + ")")
                + " of " + worker;
    }
}
