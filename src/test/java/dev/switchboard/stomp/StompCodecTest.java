package dev.switchboard.stomp;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StompCodecTest {

    private static StompDecoder decoder() {
        StompDecoder decoder = new StompDecoder(1024, 8, 64);
        decoder.version(StompVersion.V1_2);
        return decoder;
    }

    private static List<StompFrame> decode(StompDecoder decoder, String text) throws StompException {
        return decoder.decode(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static StompException failure(String text) {
        return assertThrows(StompException.class, () -> decode(decoder(), text));
    }

    @Test
    void decodesAFrameWithHeadersAndBody() throws Exception {
        StompFrame frame = decode(decoder(), "SEND\ndestination:/queue/a\ncontent-type:text/plain\n\nhello\0").get(0);
        assertEquals(StompCommand.SEND, frame.command());
        assertEquals("/queue/a", frame.header("destination"));
        assertEquals("text/plain", frame.header("content-type"));
        assertEquals("hello", frame.bodyText());
    }

    @Test
    void severalFramesInOneChunkAndHeartbeatsBetween() throws Exception {
        StompDecoder decoder = decoder();
        List<StompFrame> frames = decode(decoder, "\nSEND\ndestination:/a\n\n1\0\r\n\nSEND\ndestination:/b\n\n2\0\n");
        assertEquals(2, frames.size());
        assertEquals("2", frames.get(1).bodyText());
        assertEquals(4, decoder.heartbeats());
    }

    @Test
    void frameSplitAtEveryByteBoundary() throws Exception {
        byte[] wire = "MESSAGE\r\ndestination:/topic/x\r\nmessage-id:7\r\ncontent-length:3\r\n\r\na\0b\0".getBytes(StandardCharsets.UTF_8);
        for (int split = 1; split < wire.length; split++) {
            StompDecoder decoder = decoder();
            List<StompFrame> frames = new ArrayList<>(decoder.decode(ByteBuffer.wrap(wire, 0, split)));
            frames.addAll(decoder.decode(ByteBuffer.wrap(wire, split, wire.length - split)));
            assertEquals(1, frames.size(), "split at " + split);
            assertArrayEquals(new byte[] {'a', 0, 'b'}, frames.get(0).body());
        }
    }

    @Test
    void oneByteAtATime() throws Exception {
        byte[] wire = "SEND\ndestination:/a\n\nhi\0SEND\ndestination:/b\n\nthere\0".getBytes(StandardCharsets.UTF_8);
        StompDecoder decoder = decoder();
        List<StompFrame> frames = new ArrayList<>();
        for (byte b : wire) {
            frames.addAll(decoder.decode(ByteBuffer.wrap(new byte[] {b})));
        }
        assertEquals(List.of("hi", "there"), frames.stream().map(StompFrame::bodyText).toList());
    }

    @Test
    void contentLengthBodyMayHoldNuls() throws Exception {
        StompFrame frame = decode(decoder(), "SEND\ndestination:/a\ncontent-length:5\n\n\0\0x\0\0\0").get(0);
        assertArrayEquals(new byte[] {0, 0, 'x', 0, 0}, frame.body());
    }

    @Test
    void bodyNotFollowedByNulAfterContentLengthIsMalformed() {
        assertTrue(failure("SEND\ndestination:/a\ncontent-length:2\n\nabc\0").getMessage().contains("NUL"));
    }

    @Test
    void headerEscapesIn12() throws Exception {
        StompFrame frame = decode(decoder(), "SEND\ndestination:/a\nx\\cy:line\\nbreak\\\\slash\\rcr\n\n\0").get(0);
        assertEquals("line\nbreak\\slash\rcr", frame.header("x:y"));
    }

    @Test
    void undefinedEscapeIsMalformed() {
        assertEquals(StompException.Kind.PROTOCOL, failure("SEND\ndestination:/a\nx:bad\\t\n\n\0").kind());
        assertEquals(StompException.Kind.PROTOCOL, failure("SEND\ndestination:/a\nx:bad\\\n\n\0").kind());
    }

    @Test
    void carriageReturnEscapeIsOnly12() throws Exception {
        StompDecoder v11 = decoder();
        v11.version(StompVersion.V1_1);
        assertThrows(StompException.class, () -> decode(v11, "SEND\nx:a\\rb\n\n\0"));
        StompDecoder v11ok = decoder();
        v11ok.version(StompVersion.V1_1);
        assertEquals("a\nb", decode(v11ok, "SEND\nx:a\\nb\n\n\0").get(0).header("x"));
    }

    @Test
    void noEscapingIn10AndNoneInConnect() throws Exception {
        StompDecoder v10 = decoder();
        v10.version(StompVersion.V1_0);
        assertEquals("a\\nb", decode(v10, "SEND\nx:a\\nb\n\n\0").get(0).header("x"));
        assertEquals("pass\\word", decode(decoder(), "CONNECT\npasscode:pass\\word\n\n\0").get(0).header("passcode"));
    }

    @Test
    void repeatedHeaderFirstWins() throws Exception {
        StompFrame frame = decode(decoder(), "SEND\nfoo:first\nfoo:second\n\n\0").get(0);
        assertEquals("first", frame.header("foo"));
        assertEquals(2, frame.headers().size());
    }

    @Test
    void valuesKeepColonsAndSpaces() throws Exception {
        assertEquals(" a:b ", decode(decoder(), "SEND\nx: a:b \n\n\0").get(0).header("x"));
    }

    @Test
    void malformedInputs() {
        assertTrue(failure("SEND\ndestination /a\n\n\0").getMessage().contains("colon"));
        assertTrue(failure("FROB\n\n\0").getMessage().contains("unknown command"));
        assertTrue(failure("send\n\n\0").getMessage().contains("unknown command"));
        assertEquals(StompException.Kind.PROTOCOL, failure("SEND\ncontent-length:abc\n\n\0").kind());
        assertEquals(StompException.Kind.PROTOCOL, failure("SEND\ncontent-length:-1\n\n\0").kind());
        assertEquals(StompException.Kind.PROTOCOL, assertThrows(StompException.class, () -> decoder().decode(
                ByteBuffer.wrap(new byte[] {'S', 'E', 'N', 'D', '\n', 'x', ':', (byte) 0xC3, '\n', '\n', 0}))).kind());
    }

    @Test
    void limitsAreOversize() {
        assertEquals(StompException.Kind.OVERSIZE, failure("SEND\n" + "h:v\n".repeat(9) + "\n\0").kind());
        assertEquals(StompException.Kind.OVERSIZE, failure("SEND\nx:" + "v".repeat(80) + "\n\n\0").kind());
        assertEquals(StompException.Kind.OVERSIZE, failure("SEND\n\n" + "b".repeat(2000) + "\0").kind());
        assertEquals(StompException.Kind.OVERSIZE, failure("SEND\ncontent-length:5000\n\n").kind(),
                "refused from the header, before any body arrives");
        assertEquals(StompException.Kind.OVERSIZE, failure("x".repeat(100)).kind(), "an endless command line");
    }

    @Test
    void decoderStaysFailed() {
        StompDecoder decoder = decoder();
        assertThrows(StompException.class, () -> decode(decoder, "NOPE\n\n\0"));
        assertThrows(StompException.class, () -> decode(decoder, "SEND\n\n\0"));
    }

    @Test
    void encoderEscapesAndSetsContentLength() throws Exception {
        StompFrame frame = StompFrame.builder(StompCommand.MESSAGE).header("destination", "/topic/a")
                .header("odd:name", "two\nlines\\").body(new byte[] {1, 0, 2}).build();
        byte[] wire = StompEncoder.encode(frame, StompVersion.V1_2);
        String text = new String(wire, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("MESSAGE\ndestination:/topic/a\nodd\\cname:two\\nlines\\\\\ncontent-length:3\n\n"), text);
        StompFrame back = decode(decoder(), text).get(0);
        assertEquals("two\nlines\\", back.header("odd:name"));
        assertArrayEquals(new byte[] {1, 0, 2}, back.body());
    }

    @Test
    void connectedIsNeverEscapedAnd10NeverEscapes() {
        StompFrame connected = StompFrame.builder(StompCommand.CONNECTED).header("server", "a:b").build();
        assertTrue(new String(StompEncoder.encode(connected, StompVersion.V1_2), StandardCharsets.UTF_8).contains("server:a:b\n"));
        StompFrame message = StompFrame.builder(StompCommand.MESSAGE).header("x", "a:b").build();
        assertTrue(new String(StompEncoder.encode(message, StompVersion.V1_0), StandardCharsets.UTF_8).contains("x:a:b\n"));
        assertTrue(new String(StompEncoder.encode(message, StompVersion.V1_1), StandardCharsets.UTF_8).contains("x:a\\cb\n"));
    }

    @Test
    void versionNegotiation() {
        assertEquals(StompVersion.V1_2, StompVersion.negotiate("1.0,1.1,1.2").orElseThrow());
        assertEquals(StompVersion.V1_1, StompVersion.negotiate("1.1, 1.0").orElseThrow());
        assertEquals(StompVersion.V1_0, StompVersion.negotiate(null).orElseThrow());
        assertTrue(StompVersion.negotiate("2.0").isEmpty());
    }

    @Test
    void frameHeaderLookupIsNullWhenAbsent() {
        assertNull(StompFrame.builder(StompCommand.SEND).build().header("destination"));
    }
}
