package dev.switchboard.bus;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs its tasks one at a time, in submission order, on a shared pool (the pattern of the
 * {@link Executor} javadoc): many serial lanes — one per channel, one per fan-out stripe — on a
 * few bounded threads, none of them owned by the lane.
 */
final class SerialExecutor implements Executor {

    private final Executor pool;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean draining;

    SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            tasks.addLast(task);
            if (draining) {
                return;
            }
            draining = true;
        }
        try {
            pool.execute(this::drain);
        } catch (RejectedExecutionException stopping) {
            synchronized (this) {
                tasks.clear();
                draining = false;
            }
        }
    }

    synchronized int pending() {
        return tasks.size();
    }

    private void drain() {
        // A bounded batch per turn, so that one busy lane does not keep a pool thread from the others.
        for (int done = 0; ; done++) {
            Runnable task;
            synchronized (this) {
                task = tasks.pollFirst();
                if (task == null) {
                    draining = false;
                    return;
                }
                if (done == 256) {
                    tasks.addFirst(task);
                    break;
                }
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                java.util.logging.Logger.getLogger(SerialExecutor.class.getName())
                        .log(java.util.logging.Level.WARNING, "fan-out task failed", e);
            }
        }
        try {
            pool.execute(this::drain);
        } catch (RejectedExecutionException stopping) {
            synchronized (this) {
                tasks.clear();
                draining = false;
            }
        }
    }
}
