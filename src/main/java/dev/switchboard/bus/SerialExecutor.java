package dev.switchboard.bus;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs its tasks one at a time, in submission order, on a shared pool (the pattern of the
 * {@link Executor} javadoc): many serial lanes — one per channel, one per fan-out stripe — on a
 * few bounded threads, none of them owned by the lane.
 * <p>
 * A lane that merges writes (the fan-out stripes) runs its tasks inside a {@link WriteMerging.Batch}:
 * with a backlog, what a few tasks send to one connection leaves as one write; a task that finds
 * the lane idle has its frames written as soon as it ends. The batch is written before the lane
 * goes idle, so the next turn, on whichever thread, comes after it.
 */
public final class SerialExecutor implements Executor {

    private static final Logger LOG = Logger.getLogger(SerialExecutor.class.getName());
    /** Tasks per turn, so that one busy lane does not keep a pool thread from the others. */
    private static final int TURN = 256;
    /** Tasks whose frames are merged at most, before they are written (a bound on how long a frame waits). */
    static final int MERGED_TASKS = 16;

    private final Executor pool;
    private final WriteMerging merging;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean draining;

    public SerialExecutor(Executor pool) {
        this(pool, WriteMerging.NONE);
    }

    SerialExecutor(Executor pool, WriteMerging merging) {
        this.pool = pool;
        this.merging = merging;
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
        schedule();
    }

    public synchronized int pending() {
        return tasks.size();
    }

    private void schedule() {
        try {
            pool.execute(this::drain);
        } catch (RejectedExecutionException stopping) {
            synchronized (this) {
                tasks.clear();
                draining = false;
            }
        }
    }

    private void drain() {
        WriteMerging.Batch batch = merging.open();
        try {
            for (int done = 0; ; ) {
                Runnable task;
                synchronized (this) {
                    task = done == TURN ? null : tasks.pollFirst();
                    if (task == null && (batch == null || !batch.holding())) {
                        if (done < TURN) {
                            draining = false;
                            return;
                        }
                        break;
                    }
                }
                if (task == null) {
                    flush(batch); // the lane looks idle (or the turn is over): what is held goes first
                    continue;
                }
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "fan-out task failed", e);
                }
                done++;
                if (batch != null && done % MERGED_TASKS == 0) {
                    flush(batch);
                }
            }
        } finally {
            if (batch != null) {
                batch.close();
            }
        }
        schedule();
    }

    private static void flush(WriteMerging.Batch batch) {
        try {
            batch.flushAll();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "fan-out write failed", e);
        }
    }
}
