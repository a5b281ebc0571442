package dev.switchboard.transport.deflate;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Compressors (or decompressors) shared by the connections that negotiated no context takeover:
 * such a connection needs one only while it handles a message, so it borrows one instead of
 * holding a window of native memory for its whole life. Bounded: what comes back to a full pool
 * is ended at once.
 */
final class ZlibPool<T> {

    private final ConcurrentLinkedQueue<T> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final int maxIdle;
    private final Supplier<T> create;
    private final Consumer<T> reset;
    private final Consumer<T> end;

    ZlibPool(int maxIdle, Supplier<T> create, Consumer<T> reset, Consumer<T> end) {
        this.maxIdle = maxIdle;
        this.create = create;
        this.reset = reset;
        this.end = end;
    }

    T borrow() {
        T zlib = idle.poll();
        if (zlib == null) {
            return create.get();
        }
        idleCount.decrementAndGet();
        return zlib;
    }

    void giveBack(T zlib) {
        reset.accept(zlib);
        if (idleCount.incrementAndGet() <= maxIdle) {
            idle.add(zlib);
        } else {
            idleCount.decrementAndGet();
            end.accept(zlib);
        }
    }

    /** Ends every idle one (the server stops). */
    void close() {
        for (T zlib; (zlib = idle.poll()) != null; ) {
            idleCount.decrementAndGet();
            end.accept(zlib);
        }
    }

    int idle() {
        return idleCount.get();
    }
}
