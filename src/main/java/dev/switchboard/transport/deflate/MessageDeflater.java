package dev.switchboard.transport.deflate;

import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * One connection's outgoing side of permessage-deflate (RFC 7692 §7.2.1): decides per message
 * whether it is compressed (at least {@code compression.min-bytes}, judged on its first frame),
 * compresses each frame of it with a sync flush and drops the final 4 octets {@code 00 00 ff ff}
 * at the end of the message. Pure: no Tyrus. Called under the container's per-session send lock;
 * synchronized only against {@link #release()} from the closing thread.
 *
 * <p>With context takeover the compressor (about 256 KiB of native memory at zlib's defaults) lives
 * as long as the connection, created on the first compressed message; without it, one is borrowed
 * from a shared pool for the length of one message.
 */
final class MessageDeflater {

    /** What one outgoing frame becomes: its payload, and whether RSV1 is set (first frame of a compressed message). */
    record Out(byte[] payload, boolean rsv1) {
    }

    private static final int TAIL = 4;

    private final int minBytes;
    private final boolean noContextTakeover;
    private final ZlibPool<Deflater> pool;
    private final CompressionStats stats;
    private Deflater deflater;
    private boolean inCompressedMessage;
    private boolean released;

    MessageDeflater(int minBytes, boolean noContextTakeover, ZlibPool<Deflater> pool, CompressionStats stats) {
        this.minBytes = minBytes;
        this.noContextTakeover = noContextTakeover;
        this.pool = pool;
        this.stats = stats;
    }

    /**
     * One data frame on its way out; null when it goes as it is (a message too short to be worth
     * it, a continuation of such a message, or the connection already released).
     *
     * @param first a text or binary frame (not a continuation)
     */
    synchronized Out frame(boolean first, boolean fin, byte[] payload, int length) {
        if (released) {
            return null;
        }
        if (first) {
            inCompressedMessage = length >= minBytes;
        }
        if (!inCompressedMessage) {
            return null;
        }
        if (deflater == null) {
            deflater = pool.borrow();
            stats.holding(1);
        }
        byte[] compressed = deflate(deflater, payload, 0, length, fin);
        stats.sent(length, compressed.length);
        if (fin) {
            inCompressedMessage = false;
            if (noContextTakeover) {
                pool.giveBack(deflater); // reset there: the next message starts a fresh window (§7.1.1.1)
                deflater = null;
                stats.holding(-1);
            }
        }
        return new Out(compressed, first);
    }

    /**
     * One frame's payload compressed with a sync flush, without the final 4 octets at the end of a
     * message; the same bytes whoever calls it ({@link SharedDeflater} too), given a compressor in
     * the same state.
     */
    static byte[] deflate(Deflater deflater, byte[] payload, int offset, int length, boolean fin) {
        deflater.setInput(payload, offset, length);
        byte[] out = new byte[Math.max(64, length / 2 + 16)];
        int produced = 0;
        while (true) {
            int room = out.length - produced;
            int n = deflater.deflate(out, produced, room, Deflater.SYNC_FLUSH);
            produced += n;
            if (n < room) {
                break; // Deflater: output space left over means the flush is complete
            }
            out = Arrays.copyOf(out, out.length * 2);
        }
        if (fin && produced >= TAIL && out[produced - 4] == 0 && out[produced - 3] == 0
                && out[produced - 2] == (byte) 0xff && out[produced - 1] == (byte) 0xff) {
            produced -= TAIL; // §7.2.1: the receiver appends them again
        }
        return Arrays.copyOf(out, produced);
    }

    /** The connection is gone: its compressor's native memory is freed now, not at some GC. */
    synchronized void release() {
        released = true;
        if (deflater != null) {
            if (noContextTakeover) {
                pool.giveBack(deflater);
            } else {
                deflater.end();
            }
            deflater = null;
            stats.holding(-1);
        }
    }

    synchronized boolean holdsCompressor() {
        return deflater != null;
    }
}
