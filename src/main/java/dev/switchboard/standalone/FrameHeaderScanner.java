package dev.switchboard.standalone;

/**
 * Reads the frame headers of one upgraded connection's incoming bytes (RFC 6455 §5.2), across
 * reads, stepping over payloads without touching them: the checks Tyrus's decoder misses, made
 * before Tyrus buffers anything. A header may arrive split over any number of reads; only its
 * (at most 14) bytes are kept. Pure: no I/O, one instance per connection, not thread-safe (a
 * connection's reads come one at a time).
 */
final class FrameHeaderScanner {

    /** Why a frame is refused: the close code to answer with and a reason for the close frame. */
    record Violation(int code, String reason, int frameStart) {
    }

    /** Reads one byte of the current read at an absolute index (a Grizzly buffer's {@code get(int)}). */
    @FunctionalInterface
    interface Bytes {
        byte get(int index);
    }

    private static final int MAX_HEADER = 14; // 2 + 8 (64-bit length) + 4 (masking key)

    private final long maxMessageBytes;
    private final byte[] header = new byte[MAX_HEADER];
    private int headerLength;
    private long payloadLeft;
    private long messageBytes;
    private Violation violation;
    /** After a 1009: whether the peer has finished sending the refused message (or began its close). */
    private boolean refusedMessageEnded;
    private boolean refusedFrameWasLast;

    FrameHeaderScanner(long maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The refusal this connection has met, or null; once set, every later byte is to be dropped. */
    Violation violation() {
        return violation;
    }

    /**
     * Whether the peer has stopped sending what was refused, so the close may go out without the
     * peer's still-arriving bytes turning it into a reset: after a 1009, once the refused message's
     * last fragment has been read (or a close frame began); after a 1002, at once, since the
     * framing itself can no longer be trusted.
     */
    boolean refusedMessageEnded() {
        return violation != null && (violation.code() != 1009 || refusedMessageEnded);
    }

    /**
     * Scans {@code bytes[from, to)}; returns null when all of it is fine to pass on, else the
     * violation, whose {@code frameStart} is where the offending frame begins in this read ({@code from}
     * when its header began in an earlier one): the bytes before it may still be passed on.
     */
    Violation scan(Bytes bytes, int from, int to) {
        if (violation != null) {
            if (!refusedMessageEnded()) {
                followRefusedMessage(bytes, from, to);
            }
            return new Violation(violation.code(), violation.reason(), from);
        }
        int at = from;
        int frameStart = from; // a header carried over from the last read began "before" this one
        while (at < to) {
            if (payloadLeft > 0) {
                long skip = Math.min(payloadLeft, (long) to - at);
                payloadLeft -= skip;
                at += (int) skip;
                continue;
            }
            if (headerLength == 0) {
                frameStart = at;
            }
            header[headerLength++] = bytes.get(at++);
            Violation found = headerByte();
            if (found != null) {
                violation = new Violation(found.code(), found.reason(), frameStart);
                // the refused frame's payload (payloadLeft) may be all its message, or more fragments follow
                refusedFrameWasLast = (header[0] & 0x80) != 0;
                refusedMessageEnded = payloadLeft == 0 && refusedFrameWasLast;
                if (!refusedMessageEnded() && at < to) {
                    followRefusedMessage(bytes, at, to);
                }
                return violation;
            }
        }
        return null;
    }

    /** Steps over the refused message's payload and any fragments after it, watching for its end. */
    private void followRefusedMessage(Bytes bytes, int from, int to) {
        int at = from;
        while (at < to && !refusedMessageEnded) {
            if (payloadLeft > 0) {
                long skip = Math.min(payloadLeft, (long) to - at);
                payloadLeft -= skip;
                at += (int) skip;
                refusedMessageEnded = payloadLeft == 0 && refusedFrameWasLast;
                continue;
            }
            header[headerLength++] = bytes.get(at++);
            if (headerLength < 2) {
                continue;
            }
            int lengthCode = header[1] & 0x7f;
            int lengthBytes = lengthCode == 127 ? 8 : lengthCode == 126 ? 2 : 0;
            int opcode = header[0] & 0x0f;
            if ((header[1] & 0x80) == 0 || opcode >= 0x8 && opcode != 0x9 && opcode != 0xA) {
                refusedMessageEnded = true; // an unmasked frame, or the peer's close: nothing more worth waiting for
                return;
            }
            if (headerLength < 2 + lengthBytes + 4) {
                continue;
            }
            headerLength = 0;
            payloadLeft = Math.max(0, payloadLength(lengthCode, lengthBytes)); // a 64-bit length with its top bit set: read on until the grace
            boolean last = (header[0] & 0x80) != 0;
            if (opcode < 0x8) {
                refusedFrameWasLast = last; // pings and pongs between fragments do not end the message (§5.4)
                refusedMessageEnded = last && payloadLeft == 0;
            }
        }
    }

    /** Judges the header so far; moves to the payload when the header is complete. */
    private Violation headerByte() {
        if (headerLength < 2) {
            return null;
        }
        int second = header[1] & 0xff;
        if ((second & 0x80) == 0) {
            // §5.1: "The server MUST close the connection upon receiving a frame that is not masked" (1002, §7.4.1)
            return refuse(1002, "unmasked client frame");
        }
        int lengthCode = second & 0x7f;
        int lengthBytes = lengthCode == 127 ? 8 : lengthCode == 126 ? 2 : 0;
        if (headerLength < 2 + lengthBytes + 4) {
            if (lengthCode == 127 && headerLength == 3 && header[2] < 0) {
                // §5.2: "the most significant bit MUST be 0" in a 64-bit length
                return refuse(1002, "payload length over 2^63-1");
            }
            return null;
        }
        long length = payloadLength(lengthCode, lengthBytes);
        int opcode = header[0] & 0x0f;
        boolean fin = (header[0] & 0x80) != 0;
        headerLength = 0;
        payloadLeft = length;
        if (opcode < 0x8) { // data frames; control frames (§5.5, at most 125 bytes) are Tyrus's to judge
            if (opcode != 0x0) {
                messageBytes = 0; // a new message (a continuation adds to the one open)
            }
            messageBytes += length;
            if (messageBytes > maxMessageBytes) {
                // the fragments of one message count together: the limit is the message's, as in Connection
                return refuse(1009, "message too big: over " + maxMessageBytes + " bytes");
            }
            if (fin) {
                messageBytes = 0;
            }
        }
        return null;
    }

    /** The payload length of the complete header in {@code header} (§5.2: 7 bits, or 16 or 64 after them). */
    private long payloadLength(int lengthCode, int lengthBytes) {
        long length = lengthBytes == 0 ? lengthCode : 0;
        for (int i = 2; i < 2 + lengthBytes; i++) {
            length = (length << 8) | (header[i] & 0xff);
        }
        return length;
    }

    private static Violation refuse(int code, String reason) {
        return new Violation(code, reason, -1);
    }
}
