package dev.switchboard.transport;

import dev.switchboard.bus.WriteMerging;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * Frames one thread is writing in a burst — a fan-out stripe working through a backlog — held per
 * connection and written as one buffer each: one write, one syscall, per receiver instead of one
 * per message. Opened and closed by the thread's owner ({@code SerialExecutor} of the fan-out
 * stripes), around a few tasks; outside one, frames are written at once.
 *
 * <p>Nothing is reordered: a connection's frames stay in the order they were added and leave
 * before anything else that thread sends on it ({@link #flush(FrameWriter)}, which the connection
 * calls before any write that does not go through a batch, and before closing). A connection's
 * frames are written early when they reach {@link #MAX_FRAMES} or {@link #MAX_BYTES}; a frame
 * bigger than that (an image) is written by itself, never copied.
 */
public final class WriteBatch implements AutoCloseable, WriteMerging.Batch {

    /** Frames merged into one write, at most. */
    public static final int MAX_FRAMES = 64;
    /** Bytes merged into one write, at most (a frame alone may be bigger). */
    public static final int MAX_BYTES = 64 * 1024;

    /** What the fan-out stripes merge with. */
    public static final WriteMerging MERGING = WriteBatch::open;

    private static final ThreadLocal<WriteBatch> CURRENT = new ThreadLocal<>();
    /**
     * Batches open on any thread: while none is, a send looks no further — a miss in a container
     * thread's crowded thread-local map cost ~3% of a 4 KiB echo's server CPU.
     */
    private static final java.util.concurrent.atomic.AtomicInteger OPEN = new java.util.concurrent.atomic.AtomicInteger();

    /** In the order connections were first written to (the order among connections matters to nobody). */
    private final Map<FrameWriter, Pending> pending = new LinkedHashMap<>();

    private WriteBatch() {
    }

    /** Opens a batch on this thread; null when one is open already (the outer one goes on). */
    public static WriteBatch open() {
        if (CURRENT.get() != null) {
            return null;
        }
        WriteBatch batch = new WriteBatch();
        OPEN.incrementAndGet();
        CURRENT.set(batch);
        return batch;
    }

    /**
     * Adds a whole frame for {@code writer} to this thread's batch; false when there is none
     * (the caller writes it now). {@code done} hears of the write that carries it.
     */
    public static boolean add(FrameWriter writer, ByteBuffer frame, BiConsumer<Object, Throwable> done) {
        WriteBatch batch = OPEN.get() == 0 ? null : CURRENT.get();
        if (batch == null) {
            return false;
        }
        batch.append(writer, frame, done);
        return true;
    }

    /** Writes what this thread holds for {@code writer}, now: before a write outside the batch, or a close. */
    public static void flush(FrameWriter writer) {
        WriteBatch batch = OPEN.get() == 0 ? null : CURRENT.get();
        if (batch != null) {
            Pending held = batch.pending.remove(writer);
            if (held != null) {
                held.write();
            }
        }
    }

    /** Whether frames are held, waiting for a flush. */
    @Override
    public boolean holding() {
        return !pending.isEmpty();
    }

    /** Writes everything held, connection by connection. */
    @Override
    public void flushAll() {
        if (pending.isEmpty()) {
            return;
        }
        List<Pending> all = new ArrayList<>(pending.values());
        pending.clear();
        for (Pending held : all) {
            held.write();
        }
    }

    /** Writes everything held and ends the batch. */
    @Override
    public void close() {
        try {
            flushAll();
        } finally {
            CURRENT.remove();
            OPEN.decrementAndGet();
        }
    }

    private void append(FrameWriter writer, ByteBuffer frame, BiConsumer<Object, Throwable> done) {
        int size = frame.remaining();
        Pending held = pending.get(writer);
        if (held != null && (held.frames.size() == MAX_FRAMES || held.bytes + (long) size > MAX_BYTES)) {
            pending.remove(writer);
            held.write();
            held = null;
        }
        if (size >= MAX_BYTES) {
            write(writer, frame, done); // after what was held for it: never copied into a merge
            return;
        }
        if (held == null) {
            held = new Pending(writer);
            pending.put(writer, held);
        }
        held.frames.add(frame);
        held.done.add(done);
        held.bytes += size;
    }

    private static void write(FrameWriter writer, ByteBuffer frames, BiConsumer<Object, Throwable> done) {
        CompletableFuture<?> written;
        try {
            written = writer.write(frames);
        } catch (RuntimeException refused) { // the connection closed under us
            done.accept(null, refused);
            return;
        }
        written.whenComplete(done);
    }

    /** One connection's frames, in order. */
    private static final class Pending {
        final FrameWriter writer;
        final List<ByteBuffer> frames = new ArrayList<>();
        final List<BiConsumer<Object, Throwable>> done = new ArrayList<>();
        int bytes;

        Pending(FrameWriter writer) {
            this.writer = writer;
        }

        void write() {
            if (frames.size() == 1) {
                WriteBatch.write(writer, frames.get(0), done.get(0));
                return;
            }
            byte[] merged = new byte[bytes];
            int at = 0;
            for (ByteBuffer frame : frames) {
                int size = frame.remaining();
                if (frame.hasArray()) { // heap frames (ServerFrames): a plain array copy, not the buffer's checked put
                    System.arraycopy(frame.array(), frame.arrayOffset() + frame.position(), merged, at, size);
                } else {
                    frame.duplicate().get(merged, at, size);
                }
                at += size;
            }
            List<BiConsumer<Object, Throwable>> each = done;
            WriteBatch.write(writer, ByteBuffer.wrap(merged), (result, failure) -> {
                for (BiConsumer<Object, Throwable> one : each) {
                    one.accept(result, failure);
                }
            });
        }
    }
}
