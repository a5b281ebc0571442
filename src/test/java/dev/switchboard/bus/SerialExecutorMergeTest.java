package dev.switchboard.bus;

import dev.switchboard.transport.FrameWriter;
import dev.switchboard.transport.ServerFrames;
import dev.switchboard.transport.WriteBatch;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A fan-out stripe with a backlog writes what its tasks send to one connection as one buffer. */
class SerialExecutorMergeTest {

    /** A pool that runs what it is given only when the test says. */
    private static final class HeldPool implements java.util.concurrent.Executor {
        final ArrayDeque<Runnable> held = new ArrayDeque<>();

        @Override
        public void execute(Runnable command) {
            held.add(command);
        }

        void runAll() {
            for (Runnable next; (next = held.poll()) != null; ) {
                next.run();
            }
        }
    }

    private static final class Writes implements FrameWriter {
        final List<Integer> sizes = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<?> write(ByteBuffer frames) {
            sizes.add(frames.remaining());
            return CompletableFuture.completedFuture(null);
        }
    }

    private static Runnable sending(Writes connection) {
        return () -> {
            ByteBuffer frame = ServerFrames.frame(ServerFrames.TEXT, new byte[10]); // 12 bytes on the wire
            if (!WriteBatch.add(connection, frame, (r, e) -> { })) {
                connection.write(frame);
            }
        };
    }

    @Test
    void aBacklogLeavesAsOneWritePerReceiver() {
        HeldPool pool = new HeldPool();
        SerialExecutor stripe = new SerialExecutor(pool, WriteBatch.MERGING);
        Writes a = new Writes();
        Writes b = new Writes();
        for (int i = 0; i < 5; i++) {
            stripe.execute(sending(a));
            stripe.execute(sending(b));
        }
        pool.runAll();
        assertEquals(List.of(60), a.sizes);
        assertEquals(List.of(60), b.sizes);
    }

    @Test
    void aTaskThatFindsTheLaneIdleIsWrittenWhenItEnds() {
        HeldPool pool = new HeldPool();
        SerialExecutor stripe = new SerialExecutor(pool, WriteBatch.MERGING);
        Writes a = new Writes();
        stripe.execute(sending(a));
        pool.runAll();
        stripe.execute(sending(a));
        pool.runAll();
        assertEquals(List.of(12, 12), a.sizes);
    }

    @Test
    void mergingWaitsForAtMostABoundOfTasks() {
        HeldPool pool = new HeldPool();
        SerialExecutor stripe = new SerialExecutor(pool, WriteBatch.MERGING);
        Writes a = new Writes();
        for (int i = 0; i < SerialExecutor.MERGED_TASKS + 1; i++) {
            stripe.execute(sending(a));
        }
        pool.runAll();
        assertEquals(List.of(12 * SerialExecutor.MERGED_TASKS, 12), a.sizes);
    }

    @Test
    void aLaneThatDoesNotMergeWritesEachAtOnce() {
        HeldPool pool = new HeldPool();
        SerialExecutor lane = new SerialExecutor(pool);
        Writes a = new Writes();
        lane.execute(sending(a));
        lane.execute(sending(a));
        pool.runAll();
        assertEquals(List.of(12, 12), a.sizes);
    }
}
