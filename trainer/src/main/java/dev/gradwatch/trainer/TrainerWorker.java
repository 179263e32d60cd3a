package dev.gradwatch.trainer;

import dev.gradwatch.events.CommandSigner;
import dev.gradwatch.events.ControlAck;
import dev.gradwatch.events.ControlCommand;
import dev.gradwatch.events.LayerStats;
import dev.gradwatch.events.StepStats;
import dev.gradwatch.trainer.kafka.ControlListener;
import dev.gradwatch.trainer.kafka.StatsPublisher;
import dev.gradwatch.trainer.train.StepResult;
import dev.gradwatch.trainer.train.Trainable;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * One training worker: trains a model step by step, publishes each step's gradient statistics,
 * and applies control commands from the monitor between steps, acknowledging each one. When it
 * finishes normally it publishes an end-of-run marker ({@link StepStats#endOfRun}); a worker that
 * dies or hangs sends none, and the monitor announces it as stalled.
 */
public final class TrainerWorker implements Runnable {

    /**
     * Where and how a worker runs. {@code stepsPerSecond} 0 means as fast as it can;
     * {@code commandVerifier} holds the keys control commands must be signed with (null accepts
     * unsigned commands); {@code labels} go on every statistics record (checked as
     * {@link StepStats#checkLabels} does, so a bad label stops the worker before it starts).
     */
    public record Config(String bootstrapServers, String statsTopic, String controlTopic, String acksTopic,
                         String runId, String workerId, Trainable.Factory model, long steps, double stepsPerSecond,
                         int publishQueueCapacity, CommandSigner commandVerifier, Map<String, String> labels) {
        public Config {
            labels = StepStats.checkLabels(labels);
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(model, "model");
            if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            if (stepsPerSecond < 0) throw new IllegalArgumentException("stepsPerSecond must be >= 0");
            if (publishQueueCapacity < 1) throw new IllegalArgumentException("publishQueueCapacity must be >= 1");
        }

        /** A worker without labels. */
        public Config(String bootstrapServers, String statsTopic, String controlTopic, String acksTopic,
                      String runId, String workerId, Trainable.Factory model, long steps, double stepsPerSecond,
                      int publishQueueCapacity, CommandSigner commandVerifier) {
            this(bootstrapServers, statsTopic, controlTopic, acksTopic, runId, workerId, model, steps, stepsPerSecond,
                    publishQueueCapacity, commandVerifier, Map.of());
        }
    }

    /** A command the worker applied, and from which step. */
    public record AppliedControl(String commandId, ControlCommand.Type type, double value, long step) {
    }

    /** Called on the training thread after every step, for live views. */
    public interface StepListener {
        void onStep(TrainerWorker worker, StepResult result);
    }

    private final Config config;
    private final StepListener listener;
    private final List<AppliedControl> applied = new ArrayList<>();
    private volatile Trainable session;
    private volatile StatsPublisher publisher;
    private volatile ControlListener control;
    private volatile double lastLoss = Double.NaN;
    private volatile long stepsDone;
    private volatile boolean stopRequested;
    private volatile String stopReason;
    private volatile long published;
    private volatile long dropped;
    private volatile long rejectedCommands;
    private volatile long reacknowledged;
    private volatile boolean endOfRunDelivered;
    // the last step's layer statistics (an immutable copy), repeated in the end-of-run marker
    private List<LayerStats> lastLayers = List.of();
    private volatile boolean finished;

    public TrainerWorker(Config config, StepListener listener) {
        this.config = config;
        this.listener = listener == null ? (w, r) -> { } : listener;
    }

    /** Connects to the control topic; call before starting the thread so no early command is missed. */
    public void connect() throws InterruptedException {
        try {
            session = config.model().create();
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the model: " + e.getMessage(), e);
        }
        publisher = new StatsPublisher(config.bootstrapServers(), config.statsTopic(), config.acksTopic(),
                config.publishQueueCapacity());
        control = new ControlListener(config.bootstrapServers(), config.controlTopic(), config.runId(), config.workerId(),
                config.commandVerifier());
        if (!control.awaitAssigned(Duration.ofSeconds(30))) {
            throw new IllegalStateException("control topic " + config.controlTopic() + " not readable within 30 s");
        }
    }

    @Override
    public void run() {
        try {
            if (session == null) connect();
            long periodNanos = config.stepsPerSecond() > 0 ? (long) (1e9 / config.stepsPerSecond()) : 0;
            long next = System.nanoTime();
            for (long i = 0; i < config.steps() && !stopRequested; i++) {
                applyCommands();
                if (stopRequested) break;
                StepResult r = session.step();
                lastLoss = r.loss();
                stepsDone = r.step() + 1;
                StepStats stats = new StepStats(config.runId(), config.workerId(), r.step(), System.currentTimeMillis(),
                        r.loss(), session.learningRate(), session.clipNorm(), r.layers(), config.labels());
                lastLayers = stats.layers();
                publisher.publish(stats);
                listener.onStep(this, r);
                if (periodNanos > 0) {
                    next += periodNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) LockSupport.parkNanos(wait);
                    else next = System.nanoTime();
                }
            }
            applyCommands();
            // finished normally (its steps done, or stopped by the monitor): tell the monitor, which then
            // forgets this worker instead of announcing it as stalled
            publisher.publishEndOfRun(StepStats.endOfRun(config.runId(), config.workerId(), session.stepCount(),
                    System.currentTimeMillis(), lastLoss, session.learningRate(), session.clipNorm(), lastLayers,
                    config.labels()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
            finished = true;
        }
    }

    /** Applies what the control listener received, on the training thread, and acknowledges it. */
    private void applyCommands() {
        ControlListener.Received received;
        while ((received = control.poll()) != null) {
            ControlCommand c = received.command();
            long step = session.stepCount();
            if (received.duplicate()) {
                // a redelivery (the monitor restarted): answer as the first time, apply nothing
                ControlAck first = control.outcomeOf(c.commandId());
                if (first != null) {
                    reacknowledged++;
                    publisher.publishAck(ack(c, first.applied(), first.detail(), first.step()));
                }
                continue;
            }
            if (received.rejected()) {
                rejectedCommands++;
                publishAck(ack(c, false, received.rejection(), step));
                continue;
            }
            String detail = switch (c.type()) {
                case SET_CLIP_NORM -> {
                    session.setClipNorm(c.value());
                    yield "clip norm set to " + c.value();
                }
                case SCALE_LR -> {
                    session.scaleLearningRate(c.value());
                    yield "learning rate scaled by " + c.value() + " to " + session.learningRate();
                }
                case STOP -> {
                    stopRequested = true;
                    stopReason = c.reason();
                    yield "stopping: " + c.reason();
                }
            };
            synchronized (applied) {
                applied.add(new AppliedControl(c.commandId(), c.type(), c.value(), step));
            }
            publishAck(ack(c, true, detail, step));
        }
    }

    private void publishAck(ControlAck ack) {
        control.acknowledged(ack);
        publisher.publishAck(ack);
    }

    private ControlAck ack(ControlCommand c, boolean ok, String detail, long step) {
        return new ControlAck(ControlAck.CURRENT_VERSION, c.commandId(), config.runId(), config.workerId(), ok, detail,
                step, System.currentTimeMillis());
    }

    private void close() {
        if (control != null) control.close();
        if (publisher != null) {
            publisher.close(Duration.ofSeconds(10));
            published = publisher.delivered();
            dropped = publisher.dropped() + publisher.failed();
            endOfRunDelivered = publisher.endOfRunDelivered() > 0;
        }
    }

    public Config config() {
        return config;
    }

    public long stepsDone() {
        return stepsDone;
    }

    public double lastLoss() {
        return lastLoss;
    }

    public double clipNorm() {
        Trainable s = session;
        return s == null ? Double.POSITIVE_INFINITY : s.clipNorm();
    }

    public long skippedSteps() {
        Trainable s = session;
        return s == null ? 0 : s.skippedSteps();
    }

    public List<AppliedControl> appliedControls() {
        synchronized (applied) {
            return List.copyOf(applied);
        }
    }

    /** Statistics the broker acknowledged (final once the worker has finished). */
    public long published() {
        StatsPublisher p = publisher;
        return p == null ? published : Math.max(published, p.delivered());
    }

    /** Statistics dropped or failed (final once the worker has finished). */
    public long droppedStats() {
        StatsPublisher p = publisher;
        return p == null ? dropped : Math.max(dropped, p.dropped() + p.failed());
    }

    public long rejectedCommands() {
        return rejectedCommands;
    }

    /** Redelivered commands acknowledged again with their first outcome, without applying them twice. */
    public long reacknowledgedCommands() {
        return reacknowledged;
    }

    /** True once the broker has taken this worker's end-of-run marker (final once the worker has finished). */
    public boolean endOfRunDelivered() {
        return endOfRunDelivered;
    }

    /** True once the worker has stopped training and flushed its publisher. */
    public boolean finished() {
        return finished;
    }

    public boolean stopped() {
        return stopRequested;
    }

    public String stopReason() {
        return stopReason;
    }
}
