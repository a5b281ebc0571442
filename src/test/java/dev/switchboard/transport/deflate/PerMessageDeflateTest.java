package dev.switchboard.transport.deflate;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * permessage-deflate on a running server, seen on the wire: what is negotiated for which offer, on
 * which endpoint, RSV1 where it belongs, the bytes a chat stream saves, and a zip bomb.
 */
class PerMessageDeflateTest {

    private static final int TEXT = 0x1;
    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("vnc.targets", "desk=127.0.0.1:1"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The client side of one connection: a compressor and a decompressor with context takeover. */
    private static final class ClientCodec implements AutoCloseable {
        final Deflater deflater = new Deflater(6, true);
        final Inflater inflater = new Inflater(true);

        byte[] compress(byte[] plain) {
            deflater.setInput(plain);
            byte[] out = new byte[plain.length + 64];
            int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
            return Arrays.copyOf(out, n - 4);
        }

        byte[] inflate(byte[] compressed) throws DataFormatException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (byte[] input : new byte[][] {compressed, TAIL}) {
                inflater.setInput(input);
                int n;
                while ((n = inflater.inflate(buffer)) > 0) {
                    out.write(buffer, 0, n);
                }
            }
            return out.toByteArray();
        }

        @Override
        public void close() {
            deflater.end();
            inflater.end();
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(DeflateWire.Frame frame, ClientCodec codec) throws DataFormatException {
        return new String(frame.rsv1() ? codec.inflate(frame.payload()) : frame.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void echoNegotiatesAndRoundTripsCompressedAndShortMessagesUncompressed() throws Exception {
        try (DeflateWire ws = DeflateWire.connect(server.port(), "/echo", "permessage-deflate; client_max_window_bits", null);
             ClientCodec codec = new ClientCodec()) {
            assertEquals("permessage-deflate", ws.extensions());
            String long1 = "a long message that repeats itself, ".repeat(20);
            ws.send(TEXT, true, true, codec.compress(utf8(long1)));
            DeflateWire.Frame echoed = ws.readData();
            assertTrue(echoed.rsv1(), "a message of at least compression.min-bytes goes back compressed");
            assertTrue(echoed.payload().length < long1.length() / 4, echoed.payload().length + " bytes");
            assertEquals(long1, text(echoed, codec));

            ws.send(TEXT, true, false, utf8("hi"));
            DeflateWire.Frame shortOne = ws.readData();
            assertFalse(shortOne.rsv1(), "under compression.min-bytes: as it is");
            assertEquals("hi", text(shortOne, codec));

            ws.send(TEXT, true, true, codec.compress(utf8(long1 + "again")));
            assertEquals(long1 + "again", text(ws.readData(), codec), "the contexts carried over both ways");
        }
    }

    @Test
    void closingAConnectionReleasesItsCompressorAndDecompressor() throws Exception {
        String held = "switchboard_compression_contexts";
        double before = server.metric(held);
        try (DeflateWire ws = DeflateWire.connect(server.port(), "/echo", "permessage-deflate", null);
             ClientCodec codec = new ClientCodec()) {
            ws.send(TEXT, true, true, codec.compress(utf8("held for the life of the connection, ".repeat(4))));
            ws.readData();
            assertEquals(before + 2, server.metric(held), "context takeover: one each way, kept");
        }
        Await.until("the closed connection's compressors are ended", () -> server.metricNow(held) == before);
    }

    @Test
    void withoutContextTakeoverNoCompressorIsHeldBetweenMessages() throws Exception {
        String held = "switchboard_compression_contexts";
        double before = server.metric(held);
        try (DeflateWire ws = DeflateWire.connect(server.port(), "/echo",
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover", null);
             ClientCodec codec = new ClientCodec()) {
            ws.send(TEXT, true, true, codec.compress(utf8("borrowed for one message only, ".repeat(4))));
            assertTrue(ws.readData().rsv1());
            assertEquals(before, server.metric(held), "both went back to the shared pool");
        }
    }

    @Test
    void aFragmentedCompressedMessageHasRsv1OnItsFirstFrameOnly() throws Exception {
        try (DeflateWire ws = DeflateWire.connect(server.port(), "/echo", "permessage-deflate", null);
             ClientCodec codec = new ClientCodec()) {
            String message = "fragmented and compressed, ".repeat(10);
            byte[] compressed = codec.compress(utf8(message));
            int half = compressed.length / 2;
            ws.send(TEXT, false, true, Arrays.copyOfRange(compressed, 0, half));
            ws.send(0x0, true, false, Arrays.copyOfRange(compressed, half, compressed.length));
            assertEquals(message, text(ws.readData(), codec));
        }
    }

    @Test
    void rsv1OnAContinuationFrameIsAProtocolError() throws Exception {
        try (DeflateWire ws = DeflateWire.connect(server.port(), "/echo", "permessage-deflate", null);
             ClientCodec codec = new ClientCodec()) {
            byte[] compressed = codec.compress(utf8("x".repeat(200)));
            ws.send(TEXT, false, true, Arrays.copyOfRange(compressed, 0, 2));
            ws.send(0x0, true, true, Arrays.copyOfRange(compressed, 2, compressed.length));
            assertEquals(1002, ws.awaitClose());
        }
    }

    @Test
    void noContextTakeoverIsAnsweredBothWaysAndEachMessageStandsAlone() throws Exception {
        try (DeflateWire ws = DeflateWire.connect(server.port(), "/echo",
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover", null)) {
            assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover", ws.extensions());
            for (int i = 0; i < 3; i++) {
                try (ClientCodec fresh = new ClientCodec()) { // a fresh context for every message, each way
                    String message = "message " + i + " stands alone, ".repeat(8);
                    ws.send(TEXT, true, true, fresh.compress(utf8(message)));
                    DeflateWire.Frame echoed = ws.readData();
                    assertTrue(echoed.rsv1());
                    assertEquals(message, text(echoed, fresh));
                }
            }
        }
    }

    @Test
    void anOfferTheServerCannotMeetGetsNoExtension() throws Exception {
        try (DeflateWire ws = DeflateWire.connect(server.port(), "/echo", "permessage-deflate; server_max_window_bits=10", null)) {
            assertEquals("HTTP/1.1 101 Switching Protocols", ws.status());
            assertNull(ws.extensions());
            String message = "uncompressed then, ".repeat(10);
            ws.send(TEXT, true, false, utf8(message));
            DeflateWire.Frame echoed = ws.readData();
            assertFalse(echoed.rsv1());
            assertEquals(message, new String(echoed.payload(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void theFirstOfferTheServerCanMeetIsTaken() throws Exception {
        try (DeflateWire ws = DeflateWire.connect(server.port(), "/echo",
                "permessage-deflate; server_max_window_bits=10, permessage-deflate; server_no_context_takeover, permessage-deflate",
                null)) {
            assertEquals("permessage-deflate; server_no_context_takeover", ws.extensions());
        }
    }

    @Test
    void everyTextEndpointNegotiatesIt() throws Exception {
        Map<String, String> endpoints = Map.of("/chat/lobby", "", "/stomp", "v12.stomp", "/console", "", "/xmpp", "xmpp");
        for (Map.Entry<String, String> endpoint : endpoints.entrySet()) {
            String subprotocol = endpoint.getValue().isEmpty() ? null : endpoint.getValue();
            try (DeflateWire ws = DeflateWire.connect(server.port(), endpoint.getKey(), "permessage-deflate", subprotocol)) {
                assertEquals("permessage-deflate", ws.extensions(), endpoint.getKey() + ": " + ws.status());
            }
        }
    }

    @Test
    void imagesAndVncNeverNegotiateIt() throws Exception {
        try (DeflateWire images = DeflateWire.connect(server.port(), "/images/lobby", "permessage-deflate", null)) {
            assertTrue(images.status().contains(" 101 "), images.status());
            assertNull(images.extensions());
        }
        try (DeflateWire vnc = DeflateWire.connect(server.port(), "/vnc/desk", "permessage-deflate", "binary")) {
            assertNull(vnc.extensions(), vnc.status());
        }
    }

    @Test
    void compressionOffNegotiatesNothing() throws Exception {
        try (RunningServer off = RunningServer.start(Map.of("compression", "off"));
             DeflateWire ws = DeflateWire.connect(off.port(), "/echo", "permessage-deflate", null)) {
            assertTrue(ws.status().contains(" 101 "));
            assertNull(ws.extensions());
        }
    }

    @Test
    void aZipBombClosesWith1009WithoutItsInflatedSizeBeingAllocated() throws Exception {
        byte[] bomb = MessageCompressionTest.bomb(256 << 20); // 256 MiB of zeros in about 256 KiB
        long before = allocatedByAllThreads();
        try (DeflateWire ws = DeflateWire.connect(server.port(), "/echo", "permessage-deflate", null)) {
            ws.send(TEXT, true, true, bomb);
            assertEquals(1009, ws.awaitClose());
        }
        long allocated = allocatedByAllThreads() - before;
        assertTrue(allocated < 64L << 20, "the JVM allocated " + (allocated >> 20) + " MiB meanwhile");
        try (DeflateWire ws = DeflateWire.connect(server.port(), "/echo", "permessage-deflate", null);
             ClientCodec codec = new ClientCodec()) {
            ws.send(TEXT, true, true, codec.compress(utf8("still here, ".repeat(10))));
            assertEquals("still here, ".repeat(10), text(ws.readData(), codec));
        }
    }

    @Test
    void aChatStreamCrossesTheWireInAtLeastFourTimesFewerBytes() throws Exception {
        int messages = 200;
        try (DeflateWire plain = DeflateWire.connect(server.port(), "/chat/deflate", null, null);
             DeflateWire compressed = DeflateWire.connect(server.port(), "/chat/deflate", "permessage-deflate", null);
             DeflateWire sender = DeflateWire.connect(server.port(), "/chat/deflate", null, null);
             ClientCodec codec = new ClientCodec()) {
            join(plain, "plain", null);
            join(compressed, "squeezed", codec);
            join(sender, "alice", null);
            // what the receivers saw of each other's joins is not part of the measure
            drainUntilMessage(plain, null, "warm-up", sender);
            drainUntilMessage(compressed, codec, "warm-up", null);
            long plainStart = plain.bytesRead();
            long compressedStart = compressed.bytesRead();
            for (int i = 0; i < messages; i++) {
                String text = "message " + i + ": shall we meet for lunch at " + (11 + i % 3) + ":30 by the fountain?";
                sender.send(TEXT, true, false, utf8("{\"type\":\"message\",\"text\":\"" + text + "\"}"));
                assertTrue(nextOfType(plain, null, "message").contains(text));
                assertTrue(nextOfType(compressed, codec, "message").contains(text));
            }
            long plainBytes = plain.bytesRead() - plainStart;
            long compressedBytes = compressed.bytesRead() - compressedStart;
            System.out.printf("chat, %d messages: %.1f bytes per message uncompressed, %.1f compressed (%.2fx)%n",
                    messages, plainBytes / (double) messages, compressedBytes / (double) messages,
                    plainBytes / (double) compressedBytes);
            assertTrue(plainBytes >= 4 * compressedBytes, plainBytes + " vs " + compressedBytes + " bytes");
        }
    }

    private static void join(DeflateWire ws, String nick, ClientCodec codec) throws Exception {
        ws.send(TEXT, true, false, utf8("{\"type\":\"join\",\"nick\":\"" + nick + "\"}"));
        nextOfType(ws, codec, "welcome");
    }

    private static void drainUntilMessage(DeflateWire ws, ClientCodec codec, String text, DeflateWire sender) throws Exception {
        if (sender != null) {
            sender.send(TEXT, true, false, utf8("{\"type\":\"message\",\"text\":\"" + text + "\"}"));
        }
        for (int i = 0; i < 1000; i++) {
            String message = nextOfType(ws, codec, "message");
            if (message.contains(text)) {
                return;
            }
        }
        throw new AssertionError("no " + text);
    }

    private static String nextOfType(DeflateWire ws, ClientCodec codec, String type) throws Exception {
        for (int i = 0; i < 1000; i++) {
            DeflateWire.Frame frame = ws.readData();
            String json = text(frame, codec == null ? new ClientCodec() : codec);
            if (json.startsWith("{\"type\":\"" + type + "\"")) {
                return json;
            }
        }
        throw new AssertionError("no " + type);
    }

    private static long allocatedByAllThreads() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = threads.getAllThreadIds();
        return Arrays.stream(threads.getThreadAllocatedBytes(ids)).filter(n -> n > 0).sum();
    }
}
