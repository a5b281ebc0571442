package dev.switchboard.connection;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames that break RFC 6455 §5, written byte by byte: each is answered with its close code in a
 * close frame and the server then ends the TCP connection — and a frame over the endpoint's message
 * limit is refused from its header, before any of its payload is buffered.
 */
class FrameGuardTest {

    private static final int FIN = 0x80;
    private static final int LIMIT = 64 * 1024;
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("max-message-bytes", "64KiB", "images.max-bytes", "256KiB"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static byte[] text(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends the frames to a fresh echo connection and returns the close the server answers with. */
    private static RawWebSocket.Frame closeAfter(String path, byte[]... frames) throws Exception {
        try (FrameClient client = FrameClient.connect(server.port(), path)) {
            client.send(frames);
            RawWebSocket.Frame close = client.awaitClose();
            assertTrue(client.serverHangsUp(), "the server ends the TCP connection after its close frame");
            return close;
        }
    }

    private static int closeCodeAfter(byte[]... frames) throws Exception {
        return closeAfter("/echo", frames).closeCode();
    }

    @Test
    void unmaskedClientFrameClosesWith1002() throws Exception {
        assertEquals(1002, closeCodeAfter(FrameClient.frame(FIN | FrameClient.TEXT, false, text("hi"))));
    }

    @Test
    void payloadLengthWithTheMostSignificantBitSetClosesWith1002() throws Exception {
        assertEquals(1002, closeCodeAfter(FrameClient.headerOnly(FIN | FrameClient.BINARY, -1L)));
    }

    @Test
    void frameOverTheLimitClosesWith1009FromItsHeaderAlone() throws Exception {
        // no payload follows: the server must judge the frame by its header, not buffer it first
        assertEquals(1009, closeCodeAfter(FrameClient.headerOnly(FIN | FrameClient.BINARY, 1L << 30)));
        assertEquals(1009, closeCodeAfter(FrameClient.headerOnly(FIN | FrameClient.TEXT, LIMIT + 1)));
    }

    @Test
    void fragmentsWhoseSumPassesTheLimitCloseWith1009() throws Exception {
        byte[] half = new byte[LIMIT / 2];
        assertEquals(1009, closeCodeAfter(FrameClient.frame(FrameClient.BINARY, true, half),
                FrameClient.frame(FrameClient.CONTINUATION, true, half),
                FrameClient.headerOnly(FIN | FrameClient.CONTINUATION, 1)));
    }

    @Test
    void messageOfExactlyTheLimitStillPasses() throws Exception {
        byte[] whole = new byte[LIMIT];
        whole[LIMIT - 1] = 7;
        try (FrameClient client = FrameClient.connect(server.port(), "/echo")) {
            client.send(FrameClient.frame(FrameClient.BINARY, true, java.util.Arrays.copyOf(whole, 1000)),
                    FrameClient.frame(FIN | FrameClient.CONTINUATION, true, java.util.Arrays.copyOfRange(whole, 1000, LIMIT)));
            RawWebSocket.Frame echoed = client.readFrame();
            assertEquals(FrameClient.BINARY, echoed.opcode());
            assertArrayEquals(whole, echoed.payload());
        }
    }

    @Test
    void eachEndpointIsHeldToItsOwnMessageLimit() throws Exception {
        // images take images.max-bytes + 1 MiB: a 100 KiB upload is answered, not closed
        try (FrameClient client = FrameClient.connect(server.port(), "/images/guard")) {
            client.send(FrameClient.frame(FIN | FrameClient.BINARY, true, new byte[100 * 1024]));
            while (true) {
                RawWebSocket.Frame frame = client.readFrame();
                assertEquals(FrameClient.TEXT, frame.opcode(), "no close");
                if (new String(frame.payload(), StandardCharsets.UTF_8).contains("not-an-image")) {
                    break;
                }
            }
        }
        assertEquals(1009, closeAfter("/images/guard",
                FrameClient.headerOnly(FIN | FrameClient.BINARY, 256 * 1024 + (1 << 20) + 1)).closeCode());
    }

    @Test
    void reservedBitsWithoutAnExtensionCloseWith1002() throws Exception {
        for (int rsv : new int[] {0x40, 0x20, 0x10}) {
            assertEquals(1002, closeCodeAfter(FrameClient.frame(FIN | rsv | FrameClient.TEXT, true, text("x"))), "rsv " + rsv);
        }
    }

    @Test
    void unknownOpcodesCloseWith1002() throws Exception {
        for (int opcode : new int[] {0x3, 0x7, 0xB, 0xF}) {
            assertEquals(1002, closeCodeAfter(FrameClient.frame(FIN | opcode, true, text("x"))), "opcode " + opcode);
        }
    }

    @Test
    void controlFramesOver125BytesOrFragmentedCloseWith1002() throws Exception {
        assertEquals(1002, closeCodeAfter(FrameClient.frame(FIN | FrameClient.PING, true, new byte[126])));
        assertEquals(1002, closeCodeAfter(FrameClient.frame(FrameClient.PING, true, text("x"))));
    }

    @Test
    void continuationWithoutAStartClosesWith1002() throws Exception {
        assertEquals(1002, closeCodeAfter(FrameClient.frame(FIN | FrameClient.CONTINUATION, true, text("x"))));
    }

    @Test
    void newDataFrameInsideAFragmentedMessageClosesWith1002() throws Exception {
        assertEquals(1002, closeCodeAfter(FrameClient.frame(FrameClient.TEXT, true, text("a")),
                FrameClient.frame(FIN | FrameClient.TEXT, true, text("b"))));
    }

    @Test
    void pingBetweenFragmentsIsAnsweredAndTheMessageStillArrives() throws Exception {
        try (FrameClient client = FrameClient.connect(server.port(), "/echo")) {
            client.send(FrameClient.frame(FrameClient.TEXT, true, text("hel")),
                    FrameClient.frame(FIN | FrameClient.PING, true, text("p")),
                    FrameClient.frame(FIN | FrameClient.CONTINUATION, true, text("lo")));
            RawWebSocket.Frame pong = client.readFrame();
            assertEquals(FrameClient.PONG, pong.opcode());
            RawWebSocket.Frame echoed = client.readFrame();
            assertEquals("hello", new String(echoed.payload(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void closeFrameWithAOneBytePayloadClosesWith1002() throws Exception {
        assertEquals(1002, closeCodeAfter(FrameClient.frame(FIN | FrameClient.CLOSE, true, new byte[] {3})));
    }

    @Test
    void closeFrameWithACodeNoEndpointMaySendClosesWith1002() throws Exception {
        for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
            assertEquals(1002, closeCodeAfter(FrameClient.frame(FIN | FrameClient.CLOSE, true,
                    FrameClient.closePayload(code, new byte[0]))), "code " + code);
        }
    }

    @Test
    void closeFrameWithInvalidUtf8InItsReasonClosesWith1007() throws Exception {
        assertEquals(1007, closeCodeAfter(FrameClient.frame(FIN | FrameClient.CLOSE, true,
                FrameClient.closePayload(1000, new byte[] {'o', 'k', (byte) 0xC0, (byte) 0xAF}))));
    }

    @Test
    void validCloseIsAnsweredWithTheSameCode() throws Exception {
        assertEquals(1000, closeCodeAfter(FrameClient.frame(FIN | FrameClient.CLOSE, true,
                FrameClient.closePayload(1000, text("bye")))));
        assertEquals(4000, closeCodeAfter(FrameClient.frame(FIN | FrameClient.CLOSE, true,
                FrameClient.closePayload(4000, text("app")))));
    }

    @Test
    void framesBeforeTheBadOneAreStillHandled() throws Exception {
        try (FrameClient client = FrameClient.connect(server.port(), "/echo")) {
            client.send(FrameClient.frame(FIN | FrameClient.TEXT, true, text("first")),
                    FrameClient.frame(FIN | FrameClient.TEXT, false, text("unmasked")));
            RawWebSocket.Frame echoed = client.readFrame();
            assertEquals("first", new String(echoed.payload(), StandardCharsets.UTF_8));
            assertEquals(1002, client.awaitClose().closeCode());
        }
    }

    @Test
    void protocolClosesAreCountedByCode() throws Exception {
        double before = server.metric("switchboard_closes_total{code=\"1002\",endpoint=\"echo\"}");
        closeCodeAfter(FrameClient.frame(FIN | FrameClient.TEXT, false, text("hi")));
        Await.until("the 1002 to be counted",
                () -> server.metricNow("switchboard_closes_total{code=\"1002\",endpoint=\"echo\"}") == before + 1);
    }
}
