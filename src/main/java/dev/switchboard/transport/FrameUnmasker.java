package dev.switchboard.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns one upgraded connection's incoming client frames (RFC 6455 §5.3: masked) into the same
 * frames unmasked — mask bit cleared, masking key dropped, payload XORed eight bytes at a time —
 * before Tyrus reads them. Tyrus's own {@code Masker} unmasks a byte at a time through volatile
 * fields (a read of the key and a read and write of its index per byte): 57% of the server's CPU
 * in a 4 KiB echo. Tyrus reads an unmasked frame as it is (the same decoder serves its client,
 * whose incoming frames are unmasked); the rule that a client must mask (§5.1) is the
 * standalone server's {@code FrameHeaderScanner}'s, which sees every byte first, and in Payara
 * ({@link UnmaskingInput}) this class's: an unmasked frame goes on with its RSV bits set, which
 * Tyrus refuses with 1002 (Payara's Tyrus does not check masking itself).
 *
 * <p>The stream stays the same frames in the same order; only where a read ends inside a frame
 * header are that header's bytes (at most 14) held back until the rest arrives. Pure: no I/O, one
 * instance per connection, not thread-safe (a connection's reads come one at a time).
 */
public final class FrameUnmasker {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final int MAX_HEADER = 14; // 2 + 8 (64-bit length) + 4 (masking key)

    private final byte[] held = new byte[MAX_HEADER];
    private int heldLength;
    private long payloadLeft;
    private final byte[] key = new byte[4];
    private int keyAt;

    /** Whether a frame header is waiting for the rest of its bytes. */
    public boolean holding() {
        return heldLength > 0;
    }

    /**
     * The frames in {@code length} bytes that {@code read} puts into the array it is given (at the
     * offset it is given), unmasked, as a new heap buffer; empty when the read was only part of a header.
     */
    public ByteBuffer unmask(int length, Read read) {
        byte[] bytes = new byte[heldLength + length];
        System.arraycopy(held, 0, bytes, 0, heldLength);
        read.into(bytes, heldLength);
        heldLength = 0; // a held header is back at the start of the bytes
        return ByteBuffer.wrap(bytes, 0, unmaskInPlace(bytes, bytes.length));
    }

    /** Copies the read's bytes into {@code to} from {@code offset} on. */
    @FunctionalInterface
    public interface Read {
        void into(byte[] to, int offset);
    }

    /**
     * Rewrites {@code bytes[0, length)} in place (a frame never grows) and returns how many bytes
     * the unmasked frames take; a header cut off at the end is held back.
     */
    private int unmaskInPlace(byte[] bytes, int length) {
        int in = 0;
        int out = 0;
        while (in < length) {
            if (payloadLeft > 0) {
                int chunk = (int) Math.min(payloadLeft, (long) length - in);
                xor(bytes, in, out, chunk);
                payloadLeft -= chunk;
                in += chunk;
                out += chunk;
                continue;
            }
            if (length - in < 2) {
                hold(bytes, in, length);
                break;
            }
            int second = bytes[in + 1] & 0xff;
            int lengthCode = second & 0x7f;
            int lengthBytes = lengthCode == 127 ? 8 : lengthCode == 126 ? 2 : 0;
            boolean masked = (second & 0x80) != 0;
            int headerLength = 2 + lengthBytes + (masked ? 4 : 0);
            if (length - in < headerLength) {
                hold(bytes, in, length);
                break;
            }
            long payload = lengthCode;
            if (lengthBytes > 0) {
                payload = 0;
                for (int i = in + 2; i < in + 2 + lengthBytes; i++) {
                    payload = (payload << 8) | (bytes[i] & 0xff);
                }
            }
            // RFC 6455 §5.1: a server closes on an unmasked client frame. Standalone the scanner has
            // done so already; Payara's Tyrus does not check, so the frame goes on with RSV1-3 set,
            // which Tyrus refuses with 1002 (no extension defines them there)
            bytes[out] = masked ? bytes[in] : (byte) (bytes[in] | 0x70);
            bytes[out + 1] = (byte) lengthCode;
            System.arraycopy(bytes, in + 2, bytes, out + 2, lengthBytes);
            if (masked) {
                System.arraycopy(bytes, in + 2 + lengthBytes, key, 0, 4);
            } else {
                key[0] = key[1] = key[2] = key[3] = 0;
            }
            keyAt = 0;
            payloadLeft = payload;
            in += headerLength;
            out += 2 + lengthBytes;
        }
        return out;
    }

    private void hold(byte[] bytes, int from, int to) {
        heldLength = to - from;
        System.arraycopy(bytes, from, held, 0, heldLength);
    }

    /** {@code bytes[to, to + count) = bytes[from, from + count) ^ key}, the key going on from {@link #keyAt}; {@code to <= from}. */
    private void xor(byte[] bytes, int from, int to, int count) {
        int i = 0;
        if (count >= 8) {
            byte[] pattern = new byte[8];
            for (int j = 0; j < 8; j++) {
                pattern[j] = key[(keyAt + j) & 3];
            }
            long mask = (long) LONGS.get(pattern, 0);
            for (; i + 8 <= count; i += 8) { // 8 is a whole number of keys: the pattern stays in step
                LONGS.set(bytes, to + i, (long) LONGS.get(bytes, from + i) ^ mask);
            }
        }
        for (; i < count; i++) {
            bytes[to + i] = (byte) (bytes[from + i] ^ key[(keyAt + i) & 3]);
        }
        keyAt = (keyAt + count) & 3;
    }
}
