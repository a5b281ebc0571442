package dev.switchboard.transport.deflate;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two halves of permessage-deflate against each other, and against a zip bomb, without a server. */
class MessageCompressionTest {

    private final CompressionStats stats = new CompressionStats();
    private final ZlibPool<Deflater> deflaters = new ZlibPool<>(4, () -> new Deflater(1, true), Deflater::reset, Deflater::end);
    private final ZlibPool<Inflater> inflaters = new ZlibPool<>(4, () -> new Inflater(true), Inflater::reset, Inflater::end);

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String chat(int i) {
        return "{\"type\":\"message\",\"room\":\"lobby\",\"id\":" + i + ",\"from\":\"alice\",\"text\":\"message number "
                + i + " about lunch\",\"at\":" + (1764600000000L + i * 1000L) + "}";
    }

    @Test
    void messagesRoundTripWithContextTakeoverAndShrink() {
        MessageDeflater out = new MessageDeflater(64, false, deflaters, stats);
        MessageInflater in = new MessageInflater(1 << 20, false, inflaters, stats);
        for (int i = 0; i < 200; i++) {
            byte[] plain = utf8(chat(i));
            MessageDeflater.Out frame = out.frame(true, true, plain, plain.length);
            assertTrue(frame.rsv1());
            MessageInflater.Result back = in.frame(true, true, frame.payload(), frame.payload().length);
            assertArrayEquals(plain, ((MessageInflater.Inflated) back).payload());
        }
        assertTrue(stats.sentPlainBytes() >= 4 * stats.sentCompressedBytes(),
                stats.sentPlainBytes() + " bytes became " + stats.sentCompressedBytes());
    }

    @Test
    void withoutContextTakeoverEachMessageInflatesOnAFreshDecompressor() {
        MessageDeflater out = new MessageDeflater(0, true, deflaters, stats);
        for (int i = 0; i < 3; i++) {
            byte[] plain = utf8(chat(i));
            byte[] compressed = out.frame(true, true, plain, plain.length).payload();
            MessageInflater fresh = new MessageInflater(1 << 20, true, inflaters, stats);
            assertArrayEquals(plain, ((MessageInflater.Inflated) fresh.frame(true, true, compressed, compressed.length)).payload());
            assertFalse(fresh.holdsDecompressor(), "given back to the pool at the end of the message");
        }
        assertFalse(out.holdsCompressor(), "the compressor goes back to the pool after every message");
    }

    @Test
    void theFinalFourOctetsAreDropped() {
        MessageDeflater out = new MessageDeflater(0, false, deflaters, stats);
        byte[] payload = out.frame(true, true, utf8("hello hello hello"), 17).payload();
        int n = payload.length;
        assertFalse(n >= 4 && payload[n - 4] == 0 && payload[n - 3] == 0 && payload[n - 2] == -1 && payload[n - 1] == -1);
    }

    @Test
    void aMessageShorterThanTheMinimumGoesAsItIs() {
        MessageDeflater out = new MessageDeflater(64, false, deflaters, stats);
        assertNull(out.frame(true, true, utf8("short"), 5));
        assertFalse(out.holdsCompressor(), "no native memory for a connection that only sent short messages");
    }

    @Test
    void rsv1IsOnTheFirstFrameOfAFragmentedMessageOnly() {
        MessageDeflater out = new MessageDeflater(8, false, deflaters, stats);
        MessageInflater in = new MessageInflater(1 << 20, false, inflaters, stats);
        String[] parts = {"the first part of it, ", "the second part, ", "and the end"};
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        for (int i = 0; i < parts.length; i++) {
            byte[] part = utf8(parts[i]);
            boolean fin = i == parts.length - 1;
            MessageDeflater.Out frame = out.frame(i == 0, fin, part, part.length);
            assertEquals(i == 0, frame.rsv1());
            back.writeBytes(((MessageInflater.Inflated) in.frame(i == 0, fin, frame.payload(), frame.payload().length)).payload());
        }
        assertEquals(String.join("", parts), back.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aZipBombIsRefusedBeforeItsInflatedSizeIsAllocated() {
        int limit = 1 << 20;
        byte[] bomb = bomb(256 << 20); // 256 MiB of zeros
        assertTrue(bomb.length < 300 * 1024, "a bomb of " + bomb.length + " bytes");
        MessageInflater in = new MessageInflater(limit, false, inflaters, stats);
        long before = allocatedBytes();
        MessageInflater.Result result = in.frame(true, true, bomb, bomb.length);
        long allocated = allocatedBytes() - before;
        assertInstanceOf(MessageInflater.TooBig.class, result);
        assertTrue(allocated < 4L * limit, "allocated " + allocated + " bytes for a limit of " + limit);
        assertFalse(in.holdsDecompressor(), "released at once");
        assertEquals(1, stats.inflateRefusals());
    }

    @Test
    void theLimitCountsAllFramesOfAMessage() {
        int limit = 1000;
        MessageDeflater out = new MessageDeflater(0, false, deflaters, stats);
        MessageInflater in = new MessageInflater(limit, false, inflaters, stats);
        byte[] part = new byte[600];
        Arrays.fill(part, (byte) 'a');
        MessageDeflater.Out first = out.frame(true, false, part, part.length);
        assertInstanceOf(MessageInflater.Inflated.class, in.frame(true, false, first.payload(), first.payload().length));
        MessageDeflater.Out second = out.frame(false, true, part, part.length);
        assertInstanceOf(MessageInflater.TooBig.class, in.frame(false, true, second.payload(), second.payload().length));
    }

    @Test
    void aMessageOfExactlyTheLimitPasses() {
        int limit = 5000;
        byte[] plain = new byte[limit];
        Arrays.fill(plain, (byte) 'z');
        MessageDeflater out = new MessageDeflater(0, false, deflaters, stats);
        byte[] compressed = out.frame(true, true, plain, plain.length).payload();
        MessageInflater in = new MessageInflater(limit, false, inflaters, stats);
        assertArrayEquals(plain, ((MessageInflater.Inflated) in.frame(true, true, compressed, compressed.length)).payload());
    }

    @Test
    void garbageIsCorruptNotAnException() {
        MessageInflater in = new MessageInflater(1 << 20, false, inflaters, stats);
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x12, 0x34};
        assertInstanceOf(MessageInflater.Corrupt.class, in.frame(true, true, garbage, garbage.length));
    }

    @Test
    void releasingEndsTheOwnCompressors() {
        MessageDeflater out = new MessageDeflater(0, false, deflaters, stats);
        MessageInflater in = new MessageInflater(1 << 20, false, inflaters, stats);
        byte[] compressed = out.frame(true, true, utf8(chat(1)), utf8(chat(1)).length).payload();
        in.frame(true, true, compressed, compressed.length);
        assertTrue(out.holdsCompressor() && in.holdsDecompressor());
        out.release();
        in.release();
        assertFalse(out.holdsCompressor() || in.holdsDecompressor());
        assertNull(out.frame(true, true, utf8(chat(2)), utf8(chat(2)).length), "after release a frame goes as it is");
    }

    static byte[] bomb(int zeros) {
        Deflater deflater = new Deflater(9, true);
        try {
            byte[] chunk = new byte[1 << 16];
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[1 << 16];
            for (int written = 0; written < zeros; written += chunk.length) {
                deflater.setInput(chunk);
                while (!deflater.needsInput()) {
                    out.write(buffer, 0, deflater.deflate(buffer, 0, buffer.length, Deflater.NO_FLUSH));
                }
            }
            int n;
            while ((n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH)) > 0) {
                out.write(buffer, 0, n);
                if (n < buffer.length) {
                    break;
                }
            }
            byte[] bytes = out.toByteArray();
            return Arrays.copyOf(bytes, bytes.length - 4); // the tail, as a client drops it
        } finally {
            deflater.end();
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
