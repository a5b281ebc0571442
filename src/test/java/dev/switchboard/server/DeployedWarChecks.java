package dev.switchboard.server;

import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.TestImages;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks the same {@code switchboard.war} passes in every application server it is tested in
 * (echo, chat, STOMP, images, a refused handshake, health), over real connections to
 * {@code http://127.0.0.1:<port>/switchboard/}. A subclass starts its server once for the class.
 */
abstract class DeployedWarChecks {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** The HTTP port the WAR answers on, under /switchboard/. */
    abstract int port();

    /** The server's name, in messages. */
    abstract String server();

    /**
     * The close code of a framing error the container finds itself (RFC 6455 and the contract:
     * 1002), before any frame reaches the application.
     */
    int protocolErrorCloseCode() {
        return 1002;
    }

    URI http(String path) {
        return URI.create("http://127.0.0.1:" + port() + "/switchboard/" + path);
    }

    URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + port() + "/switchboard/" + path);
    }

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(http(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void healthAnswersAndPagesAreServed() throws Exception {
        HttpResponse<String> health = get("health");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("UP", json(health.body()).getString("status"));
        HttpResponse<String> index = get("");
        assertEquals(200, index.statusCode());
        assertTrue(index.body().contains("echo.html"));
        assertEquals(200, get("js/ws.js").statusCode());
    }

    @Test
    void echoAnswersTextAndBinary() throws Exception {
        try (WsClient client = WsClient.connect(ws("echo"))) {
            assertEquals("hello " + server(), client.sendText("hello " + server()).nextText());
            assertArrayEquals(new byte[] {1, 2, 3, 4}, client.sendBinary(new byte[] {1, 2, 3, 4}).next().binary());
        }
    }

    @Test
    void oversizedMessageClosesWith1009() throws Exception {
        try (WsClient client = WsClient.connect(ws("echo"))) {
            client.sendText("x".repeat(1024 * 1024 + 1));
            assertEquals(1009, client.awaitClose().code());
        }
    }

    @Test
    void invalidUtf8ClosesWith1007() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect("127.0.0.1", port(), "/switchboard/echo")) {
            raw.sendFrame(RawWebSocket.TEXT, true, new byte[] {(byte) 0xC3, (byte) 0x28});
            assertEquals(1007, raw.awaitCloseCode());
        }
    }

    @Test
    void anUnmaskedClientFrameClosesWith1002() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect("127.0.0.1", port(), "/switchboard/echo")) {
            raw.sendUnmaskedFrame(RawWebSocket.TEXT, "hi".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(protocolErrorCloseCode(), raw.awaitCloseCode(), "RFC 6455 §5.1: a server closes on an unmasked frame");
        }
    }

    @Test
    void foreignOriginIsRefusedWith403AndTheSecurityHeaders() {
        HttpResponse<?> refused = WsClient.refusal(ws("echo"), java.util.Map.of("Origin", "https://evil.example"));
        assertEquals(403, refused.statusCode());
        assertEquals("DENY", refused.headers().firstValue("X-Frame-Options").orElse(null), refused.headers().toString());
    }

    @Test
    void consoleOperatorFromLoopbackDrivesATarget() throws Exception {
        try (WsClient operator = WsClient.connect(ws("console")); WsClient target = WsClient.connect(ws("console"))) {
            target.sendText("{\"type\":\"attach\",\"role\":\"target\",\"label\":\"tab\"}");
            assertTrue(target.nextText().contains("\"attached\""));
            operator.sendText("{\"type\":\"attach\",\"role\":\"operator\"}");
            assertTrue(operator.nextText().contains("\"attached\""), "loopback is seen as loopback through " + server());
            operator.sendText("{\"type\":\"eval\",\"id\":\"p\",\"code\":\"6*7\"}");
            String eval;
            do {
                eval = target.nextText();
            } while (!eval.contains("\"eval\""));
            target.sendText("{\"type\":\"result\",\"id\":\"" + json(eval).getString("id") + "\",\"value\":\"42\"}");
            String result;
            do {
                result = operator.nextText();
            } while (!result.contains("\"result\""));
            assertTrue(result.contains("\"value\":\"42\""), result);
        }
    }

    @Test
    void chatRoomWorks() throws Exception {
        try (WsClient alice = WsClient.connect(ws("chat/lobby")); WsClient bob = WsClient.connect(ws("chat/lobby"))) {
            alice.sendText("{\"type\":\"join\",\"nick\":\"alice\"}");
            assertTrue(alice.nextText().contains("\"type\":\"welcome\""));
            bob.sendText("{\"type\":\"join\",\"nick\":\"bob\"}");
            assertTrue(bob.nextText().contains("\"members\":[{\"nick\":\"alice\""));
            assertTrue(alice.nextText().contains("\"type\":\"presence\""));
            bob.sendText("{\"type\":\"message\",\"text\":\"hi from bob\"}");
            JsonObject atAlice = json(alice.nextText());
            assertEquals("hi from bob", atAlice.getString("text"));
            assertEquals("bob", atAlice.getString("from"));
        }
    }

    @Test
    void largeImageIsDroppedToTheOtherMember() throws Exception {
        byte[] image = Arrays.copyOf(TestImages.png(8, 8), 5 * 1024 * 1024);
        try (WsClient sender = WsClient.connect(ws("images/gallery")); WsClient viewer = WsClient.connect(ws("images/gallery"))) {
            assertTrue(sender.nextText().contains("\"welcome\""));
            assertTrue(viewer.nextText().contains("\"welcome\""));
            sender.sendBinary(image);
            assertTrue(sender.nextText().contains("\"ack\""));
            assertTrue(viewer.nextText().contains("\"image/png\""));
            assertArrayEquals(image, viewer.next().binary(), "5 MiB, byte for byte, through " + server());
        }
    }

    @Test
    void anImageOverTheLimitIsRefusedAndOneOverTheTransportLimitClosesWith1009() throws Exception {
        try (WsClient sender = WsClient.connect(ws("images/limits"))) {
            assertTrue(sender.nextText().contains("\"welcome\""));
            sender.sendBinary(Arrays.copyOf(TestImages.png(8, 8), 8 * 1024 * 1024 + 1));
            assertTrue(sender.nextText().contains("\"too-large\""), "images.max-bytes, the connection stays open");
            sender.sendBinary(new byte[9 * 1024 * 1024 + 1]);
            assertEquals(1009, sender.awaitClose().code(), "beyond images.max-bytes + 1 MiB");
        }
    }

    @Test
    void aViewerThatStopsReadingIsClosedAsASlowConsumerAndTheRoomGoesOn() throws Exception {
        byte[] image = Arrays.copyOf(TestImages.png(8, 8), 5 * 1024 * 1024);
        try (RawWebSocket stalled = RawWebSocket.connect("127.0.0.1", port(), "/switchboard/images/slow");
             WsClient sender = WsClient.connect(ws("images/slow")); WsClient viewer = WsClient.connect(ws("images/slow"))) {
            assertTrue(sender.nextText().contains("\"welcome\""));
            assertTrue(viewer.nextText().contains("\"welcome\""));
            for (int i = 0; i < 8; i++) { // 40 MiB: past the loopback socket buffers and send-queue-bytes (4 MiB)
                sender.sendBinary(image);
                assertTrue(sender.nextText().contains("\"ack\""));
                assertTrue(viewer.nextText().contains("\"image/png\""));
                assertEquals(image.length, viewer.next().binary().length, "the reading member gets image " + i);
            }
            String metrics = get("metrics").body();
            assertTrue(metrics.lines().anyMatch(line -> line.startsWith("switchboard_slow_consumer_closes_total{endpoint=\"images\"")
                    && !line.endsWith(" 0.0")), metrics);
        }
    }

    @Test
    void stompQueueAndTopicWork() throws Exception {
        assertEquals(200, get("webjars/stomp__stompjs/7.2.1/esm6/index.js").statusCode(), "stomp.js is served from its WebJar");
        try (WsClient a = WsClient.connect(ws("stomp")); WsClient b = WsClient.connect(ws("stomp"))) {
            a.sendText("CONNECT\naccept-version:1.2\nhost:here\n\n\0SUBSCRIBE\nid:s\ndestination:/queue/work\nreceipt:r\n\n\0"
                    + "SUBSCRIBE\nid:t\ndestination:/topic/news\nreceipt:r2\n\n\0");
            assertTrue(a.nextText().startsWith("CONNECTED\nversion:1.2"));
            assertTrue(a.nextText().startsWith("RECEIPT"));
            assertTrue(a.nextText().startsWith("RECEIPT"));
            b.sendText("CONNECT\naccept-version:1.1\n\n\0SEND\ndestination:/queue/work\n\nqueued\0"
                    + "SEND\ndestination:/topic/news\n\npublished\0");
            assertTrue(b.nextText().startsWith("CONNECTED\nversion:1.1"));
            String queued = a.nextText();
            assertTrue(queued.startsWith("MESSAGE\n") && queued.endsWith("queued\0"), queued);
            String published = a.nextText();
            assertTrue(published.startsWith("MESSAGE\n") && published.endsWith("published\0"), published);
        }
        assertEquals(200, get("stomp-stats").statusCode());
    }

    @Test
    void overheadTickerCountsItsHandshake() throws Exception {
        try (WsClient ticker = WsClient.connect(ws("overhead/ticker"))) {
            assertEquals("quote", json(ticker.nextText()).getString("type"));
            JsonObject stats = json(get("overhead/stats").body());
            assertTrue(stats.getJsonObject("websocket").getInt("clients") >= 1, stats.toString());
        }
    }

    @Test
    void xmppSubprotocolIsNegotiatedAndARoomIsJoined() throws Exception {
        String open = "<open xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" to=\"localhost\" version=\"1.0\"/>";
        try (WsClient without = WsClient.connect(ws("xmpp"))) {
            assertEquals(1002, without.awaitClose().code(), "no xmpp subprotocol offered");
        }
        try (WsClient xmpp = WsClient.connect(ws("xmpp"), java.util.Map.of("Sec-WebSocket-Protocol", "xmpp"))) {
            xmpp.sendText(open);
            assertTrue(xmpp.nextText().startsWith("<open "));
            assertTrue(xmpp.nextText().contains("<mechanism>PLAIN</mechanism>"));
            xmpp.sendText("<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"PLAIN\">"
                    + java.util.Base64.getEncoder().encodeToString("\0ann\0x".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    + "</auth>");
            assertTrue(xmpp.nextText().startsWith("<success"));
            xmpp.sendText(open);
            xmpp.nextText();
            xmpp.nextText();
            xmpp.sendText("<iq type=\"set\" id=\"b\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/></iq>");
            assertTrue(xmpp.nextText().contains("<jid>ann@localhost/"));
        }
    }
}
