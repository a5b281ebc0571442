package dev.switchboard.transport;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameUnmaskerTest {

    @Test
    void aMaskedFrameComesOutAsTheSameFrameUnmasked() {
        byte[] payload = "Hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] key = {0x37, (byte) 0xfa, 0x21, 0x3d};
        // RFC 6455 §5.7: a single-frame masked text message "Hello"
        byte[] masked = {(byte) 0x81, (byte) 0x85, 0x37, (byte) 0xfa, 0x21, 0x3d, 0x7f, (byte) 0x9f, 0x4d, 0x51, 0x58};
        assertArrayEquals(frame(0x81, payload, null), unmaskAll(new FrameUnmasker(), masked, new int[] {masked.length}));
        assertArrayEquals(masked, frame(0x81, payload, key));
    }

    @Test
    void anUnmaskedClientFrameGoesOnMarkedSoThatTyrusRefusesIt() {
        byte[] unmasked = {(byte) 0x81, 0x02, 'h', 'i'};
        byte[] out = unmaskAll(new FrameUnmasker(), unmasked, new int[] {unmasked.length});
        assertArrayEquals(new byte[] {(byte) 0xf1, 0x02, 'h', 'i'}, out, "RSV1-3 set: a protocol error (RFC 6455 §5.1, §5.2)");
    }

    @Test
    void anyStreamOfFramesCutAnywhereComesOutUnmaskedInOrder() {
        Random random = new Random(6455);
        for (int round = 0; round < 200; round++) {
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            int frames = 1 + random.nextInt(8);
            for (int f = 0; f < frames; f++) {
                int[] sizes = {0, 1, 7, 8, 9, 125, 126, 127, 4096, 65535, 65536, 70_001};
                byte[] payload = new byte[sizes[random.nextInt(sizes.length)]];
                random.nextBytes(payload);
                byte[] key = new byte[4];
                random.nextBytes(key);
                int first = random.nextBoolean() ? 0x81 : random.nextBoolean() ? 0x02 : 0x89;
                in.writeBytes(frame(first, payload, key));
                expected.writeBytes(frame(first, payload, null));
            }
            byte[] stream = in.toByteArray();
            int[] cuts = cuts(random, stream.length);
            assertArrayEquals(expected.toByteArray(), unmaskAll(new FrameUnmasker(), stream, cuts), "round " + round);
        }
    }

    @Test
    void aHeaderCutOffIsHeldUntilItsRestArrives() {
        byte[] payload = new byte[300];
        new Random(1).nextBytes(payload);
        byte[] stream = frame(0x82, payload, new byte[] {1, 2, 3, 4});
        FrameUnmasker unmasker = new FrameUnmasker();
        for (int i = 0; i < 7; i++) { // 2 + 2 (16-bit length) + 4 (key) - 1
            int index = i;
            ByteBuffer out = unmasker.unmask(1, (to, offset) -> to[offset] = stream[index]);
            assertEquals(0, out.remaining());
            assertTrue(unmasker.holding());
        }
        byte[] rest = java.util.Arrays.copyOfRange(stream, 7, stream.length);
        ByteBuffer out = unmasker.unmask(rest.length, (to, offset) -> System.arraycopy(rest, 0, to, offset, rest.length));
        assertFalse(unmasker.holding());
        byte[] got = new byte[out.remaining()];
        out.get(got);
        assertArrayEquals(frame(0x82, payload, null), got);
    }

    private static int[] cuts(Random random, int length) {
        java.util.List<Integer> reads = new java.util.ArrayList<>();
        for (int left = length; left > 0; ) {
            int read = Math.min(left, random.nextInt(4) == 0 ? 1 + random.nextInt(15) : 1 + random.nextInt(9000));
            reads.add(read);
            left -= read;
        }
        return reads.stream().mapToInt(Integer::intValue).toArray();
    }

    private static byte[] unmaskAll(FrameUnmasker unmasker, byte[] stream, int[] reads) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        for (int read : reads) {
            int from = at;
            ByteBuffer frames = unmasker.unmask(read, (to, offset) -> System.arraycopy(stream, from, to, offset, read));
            byte[] bytes = new byte[frames.remaining()];
            frames.get(bytes);
            out.writeBytes(bytes);
            at += read;
        }
        assertFalse(unmasker.holding());
        return out.toByteArray();
    }

    /** A frame as RFC 6455 §5.2 lays it out: masked with {@code key}, or unmasked when it is null. */
    static byte[] frame(int first, byte[] payload, byte[] key) {
        ByteBuffer frame = ByteBuffer.allocate(14 + payload.length);
        frame.put((byte) first);
        int mask = key == null ? 0 : 0x80;
        if (payload.length <= 125) {
            frame.put((byte) (mask | payload.length));
        } else if (payload.length <= 0xFFFF) {
            frame.put((byte) (mask | 126)).putShort((short) payload.length);
        } else {
            frame.put((byte) (mask | 127)).putLong(payload.length);
        }
        if (key != null) {
            frame.put(key);
        }
        for (int i = 0; i < payload.length; i++) {
            frame.put((byte) (key == null ? payload[i] : payload[i] ^ key[i & 3]));
        }
        byte[] bytes = new byte[frame.position()];
        frame.flip().get(bytes);
        return bytes;
    }
}
