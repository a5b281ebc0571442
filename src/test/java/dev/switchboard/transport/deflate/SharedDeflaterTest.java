package dev.switchboard.transport.deflate;

import dev.switchboard.connection.Broadcast;
import jakarta.websocket.Extension;
import org.glassfish.tyrus.core.frame.Frame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compressed frame receivers without context takeover share, without a server: the bytes a
 * connection's own compressor makes, inflating back to the text, built once per broadcast and
 * parameter set.
 */
class SharedDeflaterTest {

    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};
    private static final int MAX = 1 << 24;

    private final Compression compression = Compression.of(true, 1, 64);
    private final Compression level9 = Compression.of(true, 9, 64);

    @AfterEach
    void end() {
        compression.close();
        level9.close();
    }

    private static Extension connection(Compression compression, String... offer) {
        List<Extension.Parameter> parameters = Arrays.stream(offer).map(DeflateOffer::parameter).toList();
        return compression.connection(DeflateOffer.accept(parameters).orElseThrow(), MAX);
    }

    private static SharedDeflater shared(Compression compression) {
        return SharedDeflater.of(List.of(connection(compression, DeflateOffer.SERVER_NO_CONTEXT_TAKEOVER)));
    }

    private static String chat(int i) {
        return "{\"type\":\"message\",\"id\":\"01JDX" + (4000 + i) + "Q7\",\"room\":\"lobby\",\"from\":\"alice\","
                + "\"text\":\"shall we meet for lunch at " + (11 + i % 3) + ":30 by the fountain?\",\"ts\":"
                + (1764600000000L + i * 977L) + ",\"offset\":" + i + "}";
    }

    /** Texts from under one header form to past the 16-bit one, compressible and not. */
    private static List<String> texts() {
        Random random = new Random(7);
        StringBuilder noise = new StringBuilder();
        for (int i = 0; i < 90_000; i++) {
            noise.append((char) ('!' + random.nextInt(90)));
        }
        return List.of(chat(1), chat(2) + "ünïcødé ✓ 👍", "x".repeat(100), "a sentence again and again. ".repeat(400),
                noise.substring(0, 200), noise.toString());
    }

    private static byte[] payload(ByteBuffer frame) {
        ByteBuffer copy = frame.duplicate();
        int length = copy.get(copy.position() + 1) & 0x7F;
        copy.position(copy.position() + (length <= 125 ? 2 : length == 126 ? 4 : 10));
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    private static long declaredLength(ByteBuffer frame) {
        int length = frame.get(frame.position() + 1) & 0x7F;
        return length <= 125 ? length : length == 126 ? frame.getShort(frame.position() + 2) & 0xFFFF
                : frame.getLong(frame.position() + 2);
    }

    private static String inflatedOnAFreshInflater(byte[] compressed) throws DataFormatException {
        Inflater inflater = new Inflater(true);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (byte[] input : new byte[][] {compressed, TAIL}) {
                inflater.setInput(input);
                int n;
                while ((n = inflater.inflate(buffer)) > 0) {
                    out.write(buffer, 0, n);
                }
            }
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            inflater.end();
        }
    }

    @Test
    void theSharedFrameIsWhatAConnectionsOwnExtensionMakesWithoutContextTakeover() throws Exception {
        SharedDeflater shared = shared(compression);
        assertNotNull(shared);
        PerMessageDeflate own = (PerMessageDeflate) connection(compression, DeflateOffer.SERVER_NO_CONTEXT_TAKEOVER);
        for (String text : texts()) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            ByteBuffer frame = Broadcast.Text.of(text).wire(shared);
            assertEquals(0xC1, frame.get(frame.position()) & 0xFF, "FIN, RSV1 and text (RFC 7692 §6)");
            assertEquals(payload(frame).length, declaredLength(frame), "the header's length is the payload's");

            Frame outgoing = Frame.builder().fin(true).opcode((byte) 0x1).payloadData(utf8).payloadLength(utf8.length)
                    .build();
            Frame ownFrame = own.processOutgoing(null, outgoing);
            assertTrue(ownFrame.isRsv1());
            assertArrayEquals(ownFrame.getPayloadData(), payload(frame),
                    "byte for byte what the session's own compressor without context takeover makes");
            assertEquals(text, inflatedOnAFreshInflater(payload(frame)));
        }
    }

    @Test
    void theSameBytesComeFromStompsUtf8AndFromText() {
        SharedDeflater shared = shared(compression);
        String text = chat(3);
        ByteBuffer fromText = Broadcast.Text.of(text).wire(shared);
        ByteBuffer fromUtf8 = Broadcast.Text.decoded(text, text.getBytes(StandardCharsets.UTF_8)).wire(shared);
        assertEquals(fromText, fromUtf8);
    }

    @Test
    void aBroadcastIsCompressedOncePerParameterSetForAnyNumberOfReceivers() throws Exception {
        SharedDeflater fast = shared(compression);
        SharedDeflater alsoFast = shared(compression);
        SharedDeflater small = shared(level9);
        assertEquals(fast.parameters(), alsoFast.parameters());
        assertEquals(new SharedDeflater.Parameters(9, 15), small.parameters());
        Broadcast.Text text = Broadcast.Text.of("a sentence again and again. ".repeat(40));
        long before = SharedDeflater.framesCompressed();
        ByteBuffer first = text.wire(fast);
        for (int receiver = 0; receiver < 100; receiver++) {
            ByteBuffer again = text.wire(receiver % 2 == 0 ? fast : alsoFast);
            assertSame(first.array(), again.array(), "one buffer, a duplicate for each receiver");
        }
        ByteBuffer nine = text.wire(small);
        assertNotSame(first.array(), nine.array(), "another level, another frame");
        assertSame(first.array(), text.wire(fast).array(), "kept next to the other");
        assertSame(nine.array(), text.wire(small).array());
        assertEquals(2, SharedDeflater.framesCompressed() - before);
        assertEquals(text.text(), inflatedOnAFreshInflater(payload(nine)));
    }

    @Test
    void eachReceiverIsCountedInTheCompressionMetrics() {
        SharedDeflater shared = shared(compression);
        Broadcast.Text text = Broadcast.Text.of(chat(4));
        long plain = compression.stats().sentPlainBytes();
        long compressed = compression.stats().sentCompressedBytes();
        int payload = 0;
        for (int i = 0; i < 10; i++) {
            payload = payload(text.wire(shared)).length;
        }
        assertEquals(10 * text.bytes(), compression.stats().sentPlainBytes() - plain, "each receiver's plain bytes");
        assertEquals(10L * payload, compression.stats().sentCompressedBytes() - compressed, "and its bytes on the wire");
    }

    @Test
    void aTextUnderTheMinimumGoesAsThePlainFrame() {
        SharedDeflater shared = shared(compression);
        Broadcast.Text text = Broadcast.Text.of("{\"type\":\"pong\",\"id\":\"x\"}");
        ByteBuffer frame = text.wire(shared);
        assertEquals(0x81, frame.get(frame.position()) & 0xFF, "FIN and text, no RSV1");
        assertSame(text.wire().array(), frame.array(), "the plain frame every uncompressed receiver gets");
    }

    @Test
    void onlyASessionWithoutServerContextTakeoverShares() {
        assertNull(SharedDeflater.of(List.of(connection(compression))), "context takeover: its own compressor");
        assertNull(SharedDeflater.of(List.of(connection(compression, DeflateOffer.CLIENT_NO_CONTEXT_TAKEOVER))));
        assertNotNull(SharedDeflater.of(List.of(connection(compression, DeflateOffer.SERVER_NO_CONTEXT_TAKEOVER,
                DeflateOffer.CLIENT_NO_CONTEXT_TAKEOVER))));
        assertNull(SharedDeflater.of(List.of()));
        assertNull(SharedDeflater.of(null));
    }

    @Test
    void sharingHoldsNoCompressorBetweenMessages() {
        SharedDeflater shared = shared(compression);
        int held = compression.stats().held();
        Broadcast.Text.of("a sentence again and again. ".repeat(40)).wire(shared);
        assertEquals(held, compression.stats().held(), "borrowed for one frame, back in the pool");
    }

    @Test
    void aServerThatPrefersNoContextTakeoverAnswersItToAnOfferWithoutIt() {
        DeflateOffer.Agreement plain = DeflateOffer.accept(List.of(), true).orElseThrow();
        assertTrue(plain.serverNoContextTakeover());
        assertEquals("permessage-deflate; server_no_context_takeover", plain.header());
        DeflateOffer.Agreement both = DeflateOffer.accept(List.of(DeflateOffer.parameter(
                DeflateOffer.CLIENT_NO_CONTEXT_TAKEOVER)), true).orElseThrow();
        assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover", both.header());
        assertEquals(Optional.empty(), DeflateOffer.accept(List.of(DeflateOffer.parameter("x-unknown")), true),
                "an offer it cannot meet is still declined");
        assertEquals("permessage-deflate", DeflateOffer.accept(List.of(), false).orElseThrow().header(),
                "the default: the client's choice");
        try (Compression preferring = Compression.of(true, 1, 64, true)) {
            assertTrue(preferring.serverNoContextTakeover());
        }
    }
}
