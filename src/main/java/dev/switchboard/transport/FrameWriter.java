package dev.switchboard.transport;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Writes whole, already framed WebSocket bytes on one connection, after everything sent on it
 * before (the container's own per-connection lock orders them with its other sends). The future
 * completes when the container has written them, exceptionally when it could not.
 */
@FunctionalInterface
public interface FrameWriter {

    /** Hands over {@code frames} (one frame or several back to back); the buffer must not change until done. */
    CompletableFuture<?> write(ByteBuffer frames);
}
