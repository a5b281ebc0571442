package dev.switchboard.echo;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rule of the contract's {@code echo} section, over real connections to the standalone server. */
class EchoEndpointTest {

    private static final int MAX = 64 * 1024;
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("max-message-bytes", String.valueOf(MAX)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void textComesBackUnchanged() throws Exception {
        try (WsClient client = WsClient.connect(server.ws("echo"))) {
            String text = "Hello, Switchboard! ünïcödé 日本語 😀";
            assertEquals(text, client.sendText(text).nextText());
        }
    }

    @Test
    void binaryComesBackUnchangedAsBinary() throws Exception {
        byte[] data = new byte[10_000];
        new Random(7).nextBytes(data);
        try (WsClient client = WsClient.connect(server.ws("echo"))) {
            WsClient.Message reply = client.sendBinary(data).next();
            assertFalse(reply.isText());
            assertArrayEquals(data, reply.binary());
        }
    }

    @Test
    void mixedMessagesComeBackInOrderWithTheirTypes() throws Exception {
        try (WsClient client = WsClient.connect(server.ws("echo"))) {
            for (int i = 0; i < 200; i++) {
                if (i % 3 == 0) {
                    client.sendBinary(new byte[] {(byte) i, (byte) (i >> 8)});
                } else {
                    client.sendText("message " + i);
                }
            }
            for (int i = 0; i < 200; i++) {
                WsClient.Message reply = client.next();
                if (i % 3 == 0) {
                    assertArrayEquals(new byte[] {(byte) i, (byte) (i >> 8)}, reply.binary(), "message " + i);
                } else {
                    assertEquals("message " + i, reply.text());
                }
            }
        }
    }

    @Test
    void messageOfExactlyTheLimitIsEchoed() throws Exception {
        try (WsClient client = WsClient.connect(server.ws("echo"))) {
            String text = "x".repeat(MAX);
            assertEquals(text, client.sendText(text).nextText());
            byte[] data = new byte[MAX];
            assertArrayEquals(data, client.sendBinary(data).next().binary());
        }
    }

    @Test
    void textOverTheLimitClosesWith1009() throws Exception {
        double before = server.metric("switchboard_closes_total{code=\"1009\",endpoint=\"echo\"}");
        try (WsClient client = WsClient.connect(server.ws("echo"))) {
            client.sendRefused("x".repeat(MAX + 1));
            int code = client.awaitRefusalCode();
            assertTrue(code == 1009 || code == 1006, "closed with " + code);
        }
        Await.until("the 1009 close to be counted",
                () -> server.metricNow("switchboard_closes_total{code=\"1009\",endpoint=\"echo\"}") == before + 1);
    }

    @Test
    void binaryOverTheLimitClosesWith1009() throws Exception {
        double before = server.metric("switchboard_closes_total{code=\"1009\",endpoint=\"echo\"}");
        try (WsClient client = WsClient.connect(server.ws("echo"))) {
            client.sendRefused(new byte[MAX + 1]);
            int code = client.awaitRefusalCode();
            assertTrue(code == 1009 || code == 1006, "closed with " + code);
        }
        Await.until("the 1009 close to be counted",
                () -> server.metricNow("switchboard_closes_total{code=\"1009\",endpoint=\"echo\"}") == before + 1);
    }

    @Test
    void messageFragmentedPastTheLimitClosesWith1009() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect("127.0.0.1", server.port(), "/echo")) {
            byte[] half = new byte[MAX / 2 + 1];
            raw.sendFrame(RawWebSocket.BINARY, false, half);
            raw.sendFrame(0x0, true, half);
            assertEquals(1009, raw.awaitCloseCode());
        }
    }

    @Test
    void invalidUtf8InTextClosesWith1007() throws Exception {
        double before = server.metric("switchboard_closes_total{code=\"1007\",endpoint=\"echo\"}");
        try (RawWebSocket raw = RawWebSocket.connect("127.0.0.1", server.port(), "/echo")) {
            raw.sendFrame(RawWebSocket.TEXT, true, new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28});
            assertEquals(1007, raw.awaitCloseCode());
        }
        Await.until("the 1007 close to be counted",
                () -> server.metricNow("switchboard_closes_total{code=\"1007\",endpoint=\"echo\"}") == before + 1);
    }

    @Test
    void overlongUtf8EncodingClosesWith1007() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect("127.0.0.1", server.port(), "/echo")) {
            raw.sendFrame(RawWebSocket.TEXT, true, new byte[] {(byte) 0xC0, (byte) 0xAF}); // overlong "/"
            assertEquals(1007, raw.awaitCloseCode());
        }
    }

    @Test
    void fragmentedTextComesBackAsOneMessage() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect("127.0.0.1", server.port(), "/echo")) {
            byte[] snowman = "☃".getBytes(StandardCharsets.UTF_8);
            // the snowman's bytes are split across the two fragments
            raw.sendFrame(RawWebSocket.TEXT, false, new byte[] {'a', snowman[0]});
            raw.sendFrame(0x0, true, new byte[] {snowman[1], snowman[2], 'b'});
            RawWebSocket.Frame reply = raw.readFrame();
            assertEquals(RawWebSocket.TEXT, reply.opcode());
            assertEquals("a☃b", new String(reply.payload(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void refusedOriginGets403AndIsCounted() throws Exception {
        double before = server.metric("switchboard_handshakes_refused_total{endpoint=\"echo\",status=\"403\"}");
        assertEquals(403, WsClient.refusedStatus(server.ws("echo"), "https://evil.example"));
        assertEquals(before + 1, server.metric("switchboard_handshakes_refused_total{endpoint=\"echo\",status=\"403\"}"));
    }

    @Test
    void pageFromTheSameHostOrLocalhostMayConnect() throws Exception {
        for (String origin : new String[] {"http://127.0.0.1:" + server.port(), "http://localhost:3000"}) {
            try (WsClient client = WsClient.connect(server.ws("echo"), origin)) {
                assertEquals("hi", client.sendText("hi").nextText(), origin);
            }
        }
    }

    @Test
    void trafficIsCountedInMetrics() throws Exception {
        double messagesIn = server.metric("switchboard_messages_received_total{endpoint=\"echo\"}");
        double bytesOut = server.metric("switchboard_bytes_sent_total{endpoint=\"echo\"}");
        try (WsClient client = WsClient.connect(server.ws("echo"))) {
            client.sendText("12345").nextText();
            client.sendBinary(new byte[7]).next();
            Await.until("the sends to be counted",
                    () -> server.metricNow("switchboard_bytes_sent_total{endpoint=\"echo\"}") >= bytesOut + 12);
            assertTrue(server.metric("switchboard_messages_received_total{endpoint=\"echo\"}") >= messagesIn + 2);
            assertTrue(server.metric("switchboard_connections_open{endpoint=\"echo\"}") >= 1);
        }
    }

    @Test
    void unknownPathIsNotUpgraded() {
        assertEquals(404, WsClient.refusedStatus(server.ws("no-such-endpoint"), null));
    }

    @Test
    void rawHandshakeAnswers101() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect("127.0.0.1", server.port(), "/echo")) {
            assertTrue(raw.statusLine().startsWith("HTTP/1.1 101"), raw.statusLine());
            raw.sendFrame(RawWebSocket.BINARY, true, new byte[] {1, 2, 3});
            assertTrue(Arrays.equals(new byte[] {1, 2, 3}, raw.readFrame().payload()));
        }
    }
}
