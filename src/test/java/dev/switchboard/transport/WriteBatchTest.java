package dev.switchboard.transport;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WriteBatchTest {

    /** A connection's writer that keeps what it is given and completes it at once. */
    private static final class Recorder implements FrameWriter {
        final List<byte[]> writes = new CopyOnWriteArrayList<>();
        final List<ByteBuffer> buffers = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<?> write(ByteBuffer frames) {
            buffers.add(frames);
            byte[] bytes = new byte[frames.remaining()];
            frames.duplicate().get(bytes);
            writes.add(bytes);
            return CompletableFuture.completedFuture(null);
        }
    }

    private static ByteBuffer frame(String text) {
        return ServerFrames.frame(ServerFrames.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(String... texts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String text : texts) {
            ByteBuffer f = frame(text);
            out.write(f.array(), 0, f.remaining());
        }
        return out.toByteArray();
    }

    private static final BiConsumer<Object, Throwable> IGNORED = (r, e) -> { };

    @Test
    void withoutABatchTheCallerWritesAtOnce() {
        assertFalse(WriteBatch.add(new Recorder(), frame("x"), IGNORED));
    }

    @Test
    void aConnectionsFramesLeaveAsOneWriteInOrder() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        List<String> reports = new ArrayList<>();
        try (WriteBatch batch = WriteBatch.open()) {
            assertTrue(WriteBatch.add(a, frame("one"), (r, e) -> reports.add("one")));
            assertTrue(WriteBatch.add(b, frame("other"), IGNORED));
            assertTrue(WriteBatch.add(a, frame("two"), (r, e) -> reports.add("two")));
            assertTrue(WriteBatch.add(a, frame("three"), (r, e) -> reports.add("three")));
            assertTrue(a.writes.isEmpty(), "held until the batch is written");
            assertTrue(batch.holding());
        }
        assertEquals(1, a.writes.size());
        assertEquals(java.util.Arrays.toString(concat("one", "two", "three")), java.util.Arrays.toString(a.writes.get(0)));
        assertEquals(1, b.writes.size());
        assertEquals(List.of("one", "two", "three"), reports, "every frame hears of the write that carried it");
        assertFalse(WriteBatch.add(a, frame("after"), IGNORED), "the batch is over");
    }

    @Test
    void aLoneFrameIsWrittenAsItIsWithoutACopy() {
        Recorder a = new Recorder();
        ByteBuffer only = frame("only");
        try (WriteBatch batch = WriteBatch.open()) {
            WriteBatch.add(a, only, IGNORED);
        }
        assertSame(only, a.buffers.get(0));
    }

    @Test
    void aConnectionsFramesAreWrittenEarlyAtTheFrameCap() {
        Recorder a = new Recorder();
        try (WriteBatch batch = WriteBatch.open()) {
            for (int i = 0; i < WriteBatch.MAX_FRAMES + 1; i++) {
                WriteBatch.add(a, frame("m" + i), IGNORED);
            }
            assertEquals(1, a.writes.size(), "the first " + WriteBatch.MAX_FRAMES + " as one write");
        }
        assertEquals(2, a.writes.size());
    }

    @Test
    void aBigFrameGoesAloneAfterWhatWasHeldAndIsNeverCopied() {
        Recorder a = new Recorder();
        ByteBuffer big = ServerFrames.frame(ServerFrames.BINARY, new byte[WriteBatch.MAX_BYTES]);
        try (WriteBatch batch = WriteBatch.open()) {
            WriteBatch.add(a, frame("small"), IGNORED);
            WriteBatch.add(a, big, IGNORED);
            WriteBatch.add(a, frame("next"), IGNORED);
            assertEquals(2, a.writes.size());
            assertSame(big, a.buffers.get(1));
        }
        assertEquals(3, a.writes.size());
        assertEquals(java.util.Arrays.toString(concat("next")), java.util.Arrays.toString(a.writes.get(2)));
    }

    @Test
    void flushingOneConnectionWritesOnlyItsFrames() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        try (WriteBatch batch = WriteBatch.open()) {
            WriteBatch.add(a, frame("a"), IGNORED);
            WriteBatch.add(b, frame("b"), IGNORED);
            WriteBatch.flush(a);
            assertEquals(1, a.writes.size());
            assertTrue(b.writes.isEmpty());
        }
        assertEquals(1, b.writes.size());
    }

    @Test
    void aWriteRefusedByAClosedConnectionFailsEachOfItsFrames() {
        FrameWriter closed = frames -> {
            throw new IllegalStateException("closed");
        };
        List<Throwable> failures = new ArrayList<>();
        try (WriteBatch batch = WriteBatch.open()) {
            WriteBatch.add(closed, frame("one"), (r, e) -> failures.add(e));
            WriteBatch.add(closed, frame("two"), (r, e) -> failures.add(e));
        }
        assertEquals(2, failures.size());
        assertTrue(failures.get(0) instanceof IllegalStateException);
    }

    @Test
    void aBatchInsideABatchIsTheOuterOne() {
        try (WriteBatch outer = WriteBatch.open()) {
            assertNull(WriteBatch.open());
        }
    }
}
