package dev.switchboard.transport;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The servlet input Tyrus's servlet reader gets in Payara: client frames in, the same frames
 * unmasked out, however the network splits them, read the way {@code TyrusHttpUpgradeHandler}
 * reads (an array of {@code available()} bytes, 16 KiB when it says 0, while {@code isReady()}).
 */
class UnmaskingInputTest {

    /** A servlet input whose bytes arrive in chunks; ready while the last arrival lasts. */
    static final class Arrivals extends ServletInputStream {
        private final Deque<byte[]> chunks = new ArrayDeque<>();
        private ByteBuffer current = ByteBuffer.allocate(0);
        final AtomicReference<ReadListener> listener = new AtomicReference<>();
        boolean closed;

        Arrivals(List<byte[]> chunks) {
            this.chunks.addAll(chunks);
        }

        /** The next chunk arrives; false when there is none. */
        boolean arrive() {
            if (chunks.isEmpty()) {
                return false;
            }
            current = ByteBuffer.wrap(chunks.poll());
            return true;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            int count = Math.min(length, current.remaining());
            current.get(into, offset, count);
            return count;
        }

        @Override
        public int read() {
            return current.hasRemaining() ? current.get() & 0xff : -1;
        }

        @Override
        public int available() {
            return current.remaining();
        }

        @Override
        public boolean isReady() {
            return current.hasRemaining();
        }

        @Override
        public boolean isFinished() {
            return chunks.isEmpty() && !current.hasRemaining();
        }

        @Override
        public void setReadListener(ReadListener readListener) {
            listener.set(readListener);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static byte[] clientFrame(int opcode, byte[] payload, Random random) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        byte[] key = new byte[4];
        random.nextBytes(key);
        frame.writeBytes(key);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ key[i & 3]);
        }
        return frame.toByteArray();
    }

    private static byte[] serverFrame(int opcode, byte[] payload) {
        ByteBuffer frame = ServerFrames.frame(opcode, payload);
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        return bytes;
    }

    /** What Tyrus's servlet reader gets from each arrival, read its way. */
    private static byte[] readLikeTyrus(Arrivals arrivals, UnmaskingInput input) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        int rounds = 0;
        while (arrivals.arrive()) {
            do { // TyrusHttpUpgradeHandler.onDataAvailable
                int size = input.available();
                byte[] into = new byte[size == 0 ? 16384 : size];
                int count = input.read(into);
                if (count > 0) {
                    read.write(into, 0, count);
                }
                assertTrue(++rounds < 1_000_000, "the reader loops forever");
            } while (input.isReady());
        }
        return read.toByteArray();
    }

    private static List<byte[]> split(byte[] bytes, int... cuts) {
        List<byte[]> chunks = new java.util.ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            chunks.add(Arrays.copyOfRange(bytes, from, cut));
            from = cut;
        }
        chunks.add(Arrays.copyOfRange(bytes, from, bytes.length));
        return chunks;
    }

    @Test
    void framesComeOutUnmaskedHoweverTheNetworkCutsThem() throws IOException {
        Random random = new Random(7);
        byte[][] payloads = {new byte[0], "hi".getBytes(StandardCharsets.UTF_8), new byte[125], new byte[126],
                "héllo wörld 😀".repeat(40).getBytes(StandardCharsets.UTF_8), new byte[70_000]};
        random.nextBytes(payloads[2]);
        random.nextBytes(payloads[3]);
        random.nextBytes(payloads[5]);
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < payloads.length; i++) {
            int opcode = i % 2 == 0 ? ServerFrames.TEXT : ServerFrames.BINARY;
            client.writeBytes(clientFrame(opcode, payloads[i], random));
            expected.writeBytes(serverFrame(opcode, payloads[i]));
        }
        byte[] wire = client.toByteArray();
        // one read; every cut in the first 300 bytes (inside headers, keys, payloads); and in ones and threes
        Arrivals whole = new Arrivals(List.of(wire));
        assertArrayEquals(expected.toByteArray(), readLikeTyrus(whole, new UnmaskingInput(whole)));
        for (int cut = 1; cut < 300; cut++) {
            Arrivals arrivals = new Arrivals(split(wire, cut, Math.min(wire.length, cut + 17)));
            assertArrayEquals(expected.toByteArray(), readLikeTyrus(arrivals, new UnmaskingInput(arrivals)), "cut at " + cut);
        }
        for (int step : new int[] {1, 3, 4093}) {
            List<byte[]> chunks = new java.util.ArrayList<>();
            for (int at = 0; at < wire.length; at += step) {
                chunks.add(Arrays.copyOfRange(wire, at, Math.min(wire.length, at + step)));
            }
            Arrivals arrivals = new Arrivals(chunks);
            assertArrayEquals(expected.toByteArray(), readLikeTyrus(arrivals, new UnmaskingInput(arrivals)), "in pieces of " + step);
        }
    }

    @Test
    void aHeldHeaderThatUnmasksToMoreThanTheReadersArrayIsHandedOverNext() throws IOException {
        Random random = new Random(11);
        byte[] payload = new byte[200];
        random.nextBytes(payload);
        byte[] wire = clientFrame(ServerFrames.BINARY, payload, random); // 8-byte header, then 200
        Arrivals arrivals = new Arrivals(split(wire, 5, 6)); // the header cut twice, then the payload
        UnmaskingInput input = new UnmaskingInput(arrivals);
        assertArrayEquals(serverFrame(ServerFrames.BINARY, payload), readLikeTyrus(arrivals, input));
        assertFalse(input.isReady());
    }

    @Test
    void theRestIsTheContainersInput() throws IOException {
        Arrivals arrivals = new Arrivals(List.of(clientFrame(ServerFrames.TEXT, new byte[] {'o', 'k'}, new Random(1))));
        UnmaskingInput input = new UnmaskingInput(arrivals);
        ReadListener listener = new ReadListener() {
            @Override
            public void onDataAvailable() {
            }

            @Override
            public void onAllDataRead() {
            }

            @Override
            public void onError(Throwable t) {
            }
        };
        input.setReadListener(listener);
        assertSame(listener, arrivals.listener.get());
        assertFalse(input.isReady());
        arrivals.arrive();
        assertTrue(input.isReady());
        assertEquals(0x81, input.read());
        assertEquals(2, input.read());
        assertEquals('o', input.read());
        assertEquals('k', input.read());
        assertTrue(input.isFinished());
        input.close();
        assertTrue(arrivals.closed);
    }
}
