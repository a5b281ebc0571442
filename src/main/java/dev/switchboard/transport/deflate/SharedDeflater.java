package dev.switchboard.transport.deflate;

import jakarta.websocket.Extension;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.Deflater;

/**
 * The compressor of the connections that negotiated {@code server_no_context_takeover}: each
 * message is compressed from a fresh window (RFC 7692 §7.1.1.1), so the compressed frame of one
 * broadcast depends on nothing but its text and these {@link Parameters} — every such receiver can
 * be sent the same bytes, compressed once. A connection with context takeover has none (its
 * compressor's window is its own history; each of its messages is compressed on its own).
 *
 * <p>A frame made here is the one the connection's own {@link PerMessageDeflate} would have made
 * for a one-frame message ({@link MessageDeflater#deflate}, a compressor from the same pool): the
 * caller writes it under the extension (Tyrus's raw writer, which no extension sees), so it is
 * never compressed twice.
 */
public final class SharedDeflater {

    /** What the compressed bytes depend on besides the text: receivers with equal parameters share a frame. */
    public record Parameters(int level, int windowBits) {
    }

    private static final int TEXT_FRAME = 0x80 | 0x40 | 0x1; // FIN, RSV1 (§6: a compressed message), text
    /** Frames compressed since the start: once per broadcast and parameter set, whatever the receivers (for tests). */
    private static final LongAdder FRAMES = new LongAdder();

    private final Parameters parameters;
    private final int minBytes;
    private final ZlibPool<Deflater> pool;
    private final CompressionStats stats;

    SharedDeflater(int level, int minBytes, ZlibPool<Deflater> pool, CompressionStats stats) {
        this.parameters = new Parameters(level, DeflateOffer.DEFLATER_WINDOW_BITS);
        this.minBytes = minBytes;
        this.pool = pool;
        this.stats = stats;
    }

    /**
     * The shared compressor of a session whose only negotiated extension is our permessage-deflate
     * without server context takeover; null for any other (none, context takeover, a foreign one).
     */
    public static SharedDeflater of(List<? extends Extension> negotiated) {
        if (negotiated == null || negotiated.size() != 1) {
            return null;
        }
        return negotiated.get(0) instanceof PerMessageDeflate deflate ? deflate.shared() : null;
    }

    public Parameters parameters() {
        return parameters;
    }

    /** Whether a text of {@code bytes} UTF-8 bytes is compressed (at least {@code compression.min-bytes}). */
    public boolean compresses(long bytes) {
        return bytes >= minBytes;
    }

    /**
     * The whole frame of a compressed text message — header with FIN and RSV1, payload — for the
     * UTF-8 bytes remaining in {@code utf8} (a heap buffer; its position is left as it was), in a
     * writable heap buffer receivers share by {@code duplicate()}.
     */
    public ByteBuffer textFrame(ByteBuffer utf8) {
        FRAMES.increment();
        Deflater deflater = pool.borrow();
        byte[] payload;
        try {
            payload = MessageDeflater.deflate(deflater, utf8.array(), utf8.arrayOffset() + utf8.position(),
                    utf8.remaining(), true);
        } finally {
            pool.giveBack(deflater); // reset there: the next message starts from a fresh window
        }
        int length = payload.length;
        ByteBuffer frame = ByteBuffer.allocate(headerLength(length) + length);
        frame.put((byte) TEXT_FRAME);
        if (length <= 125) {
            frame.put((byte) length);
        } else if (length <= 0xFFFF) {
            frame.put((byte) 126).putShort((short) length);
        } else {
            frame.put((byte) 127).putLong(length);
        }
        return frame.put(payload).flip();
    }

    /** The payload bytes of a frame made by {@link #textFrame} (the frame less its header). */
    public static int payloadBytes(ByteBuffer frame) {
        int length = frame.get(frame.position() + 1) & 0x7F;
        return frame.remaining() - (length <= 125 ? 2 : length == 126 ? 4 : 10);
    }

    private static int headerLength(long length) {
        return length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
    }

    static long framesCompressed() {
        return FRAMES.sum();
    }

    /** One receiver was handed a shared frame: counted like a message its own compressor made. */
    public void sent(long plainBytes, long compressedBytes) {
        stats.sent(plainBytes, compressedBytes);
    }
}
