package dev.switchboard.transport.deflate;

import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * One connection's incoming side of permessage-deflate (RFC 7692 §7.2.2), with a cap: a message
 * whose inflated size passes the endpoint's limit is refused as soon as the output passes it, so
 * a few KiB of zip bomb never allocates more than the limit (plus a byte). Pure: no Tyrus. A
 * connection's frames arrive one at a time; synchronized only against {@link #release()}.
 */
final class MessageInflater {

    /** What one incoming frame of a compressed message becomes. */
    sealed interface Result {
    }

    /** The frame's inflated payload. */
    record Inflated(byte[] payload) implements Result {
    }

    /** The message inflates past the limit: close with 1009. */
    record TooBig(long limit) implements Result {
    }

    /** Not a DEFLATE stream this side can read: close. */
    record Corrupt(String why) implements Result {
    }

    /** §7.2.2: appended to a message's payload before it is inflated. */
    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

    private final long limit;
    private final boolean noContextTakeover;
    private final ZlibPool<Inflater> pool;
    private final CompressionStats stats;
    private Inflater inflater;
    /** Inflated bytes of the message so far (all its frames). */
    private long messageBytes;
    private boolean released;

    MessageInflater(long limit, boolean noContextTakeover, ZlibPool<Inflater> pool, CompressionStats stats) {
        this.limit = limit;
        this.noContextTakeover = noContextTakeover;
        this.pool = pool;
        this.stats = stats;
    }

    /** One frame of a compressed message (the first has RSV1 set, the continuations do not). */
    synchronized Result frame(boolean first, boolean fin, byte[] payload, int length) {
        if (released) {
            return new Corrupt("connection closed");
        }
        if (first) {
            messageBytes = 0;
        }
        if (inflater == null) {
            inflater = pool.borrow();
            stats.holding(1);
        }
        Output out = new Output(Math.max(0, limit - messageBytes), length);
        try {
            if (!inflate(inflater, payload, 0, length, out) && fin) {
                inflate(inflater, TAIL, 0, TAIL.length, out);
            }
        } catch (DataFormatException e) {
            stats.refused();
            release();
            return new Corrupt("invalid compressed data");
        }
        if (out.overflowed) {
            stats.refused();
            release(); // nothing more of this connection is read
            return new TooBig(limit);
        }
        messageBytes += out.length;
        stats.received(length, out.length);
        if (fin || inflater.finished()) {
            endOfMessage(fin);
        }
        return new Inflated(out.bytes());
    }

    /**
     * A final block (BFINAL) ends the DEFLATE stream: the next message starts a new one. Without
     * context takeover the decompressor goes back to the pool after every message.
     */
    private void endOfMessage(boolean fin) {
        if (noContextTakeover && fin) {
            pool.giveBack(inflater);
            inflater = null;
            stats.holding(-1);
        } else if (inflater.finished()) {
            inflater.reset();
        }
    }

    /** Inflates one input into {@code out}; true when the stream ended (BFINAL) or the output overflowed. */
    private static boolean inflate(Inflater inflater, byte[] input, int offset, int length, Output out)
            throws DataFormatException {
        inflater.setInput(input, offset, length);
        while (true) {
            if (!out.makeRoom()) {
                return true; // over the limit: stop here, before inflating any further
            }
            int n = inflater.inflate(out.buffer, out.length, out.buffer.length - out.length);
            out.length += n;
            if (out.length > out.room) {
                out.overflowed = true;
                return true;
            }
            if (n == 0) {
                if (inflater.finished()) {
                    return true;
                }
                if (inflater.needsDictionary()) {
                    throw new DataFormatException("a preset dictionary is not part of permessage-deflate");
                }
                if (inflater.needsInput()) {
                    return false;
                }
            }
        }
    }

    /** A growing output that never holds more than the message's room plus one byte. */
    private static final class Output {
        final long room;
        byte[] buffer;
        int length;
        boolean overflowed;

        Output(long room, int compressedLength) {
            this.room = room;
            this.buffer = new byte[capped(Math.max(256L, compressedLength * 3L))];
        }

        /** One byte over the room is enough to know the message is too big. */
        private int capped(long size) {
            return (int) Math.min(size, Math.min(room + 1, Integer.MAX_VALUE - 16));
        }

        boolean makeRoom() {
            if (length < buffer.length) {
                return true;
            }
            if (length > room) {
                overflowed = true;
                return false;
            }
            int grown = capped(buffer.length * 2L);
            if (grown <= buffer.length) {
                overflowed = true;
                return false;
            }
            buffer = Arrays.copyOf(buffer, grown);
            return true;
        }

        byte[] bytes() {
            return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
        }
    }

    synchronized void release() {
        released = true;
        if (inflater != null) {
            if (noContextTakeover) {
                pool.giveBack(inflater);
            } else {
                inflater.end();
            }
            inflater = null;
            stats.holding(-1);
        }
    }

    synchronized boolean holdsDecompressor() {
        return inflater != null;
    }
}
