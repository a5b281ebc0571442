package dev.switchboard.transport;

import java.nio.ByteBuffer;

/**
 * RFC 6455 §5.2 data frames as a server sends them: FIN set, no RSV bits (no extension), the
 * opcode, the shortest length form, no mask (§5.1: a server never masks), then the payload — the
 * bytes Tyrus would write for the same message, built by us once for every receiver.
 */
public final class ServerFrames {

    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;

    private ServerFrames() {
    }

    /** Bytes of the header in front of a payload of {@code length} bytes (§5.2: 7, 7+16 or 7+64 bit length). */
    public static int headerLength(long length) {
        return length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
    }

    /**
     * A whole frame for the payload, in a writable heap buffer (a container that needs an array —
     * Payara's servlet writer copies one without — gets one; receivers share it by {@code duplicate()}).
     */
    public static ByteBuffer frame(int opcode, byte[] payload) {
        return frame(opcode, ByteBuffer.wrap(payload));
    }

    /** A whole frame for the payload's remaining bytes; the payload's position is left as it was. */
    public static ByteBuffer frame(int opcode, ByteBuffer payload) {
        int length = payload.remaining();
        ByteBuffer frame = ByteBuffer.allocate(headerLength(length) + length);
        putHeader(frame, opcode, length);
        frame.put(payload.duplicate());
        return frame.flip();
    }

    static void putHeader(ByteBuffer out, int opcode, long length) {
        out.put((byte) (0x80 | (opcode & 0x0F)));
        if (length <= 125) {
            out.put((byte) length);
        } else if (length <= 0xFFFF) {
            out.put((byte) 126);
            out.putShort((short) length);
        } else {
            out.put((byte) 127);
            out.putLong(length);
        }
    }
}
