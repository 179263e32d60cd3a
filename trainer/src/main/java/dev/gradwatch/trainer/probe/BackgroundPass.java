package dev.gradwatch.trainer.probe;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A task run once per {@link #start()} on a helper thread, handed over without allocating. The
 * helper is a daemon thread made on the first start and ended after a while without work
 * ({@link #IDLE_EXIT_NANOS} by default), so a probe that is dropped leaves no thread behind for
 * long. The task reports its own progress (the caller does not wait for the task itself): see
 * {@link GradientProbe}.
 */
final class BackgroundPass {

    /** A helper with no work for this long ends; the next start makes a new one. */
    static final long IDLE_EXIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final long idleExitNanos;
    private final Runnable task;
    private final String threadName;
    /** Starts so far; written by the one thread that calls {@link #start()}. */
    private volatile long requested;
    private Thread helper; // guarded by this

    BackgroundPass(String threadName, long idleExitNanos, Runnable task) {
        if (idleExitNanos <= 0) throw new IllegalArgumentException("idle exit must be > 0 ns, got " + idleExitNanos);
        this.idleExitNanos = idleExitNanos;
        this.threadName = threadName;
        this.task = task;
    }

    /** Has the helper run the task once more, and returns at once. */
    void start() {
        requested = requested + 1;
        LockSupport.unpark(helperThread());
    }

    private synchronized Thread helperThread() {
        if (helper == null) {
            helper = new Thread(this::loop, threadName);
            helper.setDaemon(true);
            helper.start();
        }
        return helper;
    }

    private void loop() {
        long done = 0;
        long idleSince = System.nanoTime();
        while (true) {
            long r = requested;
            if (r != done) {
                done = r; // starts that came while the task ran are served by this one run
                task.run();
                idleSince = System.nanoTime();
                continue;
            }
            LockSupport.parkNanos(this, idleExitNanos);
            if (requested == done && System.nanoTime() - idleSince >= idleExitNanos) {
                synchronized (this) {
                    // start() raises requested before it takes this lock: if it has not yet, it will
                    // find no helper and make one
                    if (requested == done) {
                        helper = null;
                        return;
                    }
                }
            }
        }
    }
}
