package dev.switchboard.stomp;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The STOMP endpoint's transport rules, over real connections (the protocol itself: StompJsClientTest). */
class StompEndpointTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        // a rate no test here reaches: the firehose below sends as fast as it can (rate limits: StompHostileInputTest)
        server = RunningServer.start(Map.of("stomp.max-frame-bytes", "64KiB", "send-queue-bytes", "256KiB",
                "rate.messages-per-second", "100000", "rate.burst", "100000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static byte[] bytes(String frames) {
        return frames.replace("^@", "\0").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void clientOfferingNoSubprotocolIsServedToo() throws Exception {
        try (WsClient client = WsClient.connect(server.ws("stomp"))) {
            client.sendText("CONNECT\naccept-version:1.2\nhost:x\n\n\0");
            assertTrue(client.nextText().startsWith("CONNECTED\nversion:1.2\n"));
        }
    }

    @Test
    void serverPicksTheClientsPreferredSubprotocol() throws Exception {
        CompletableFuture<String> protocol = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("v11.stomp", "v10.stomp")
                .buildAsync(server.ws("stomp"), new WebSocket.Listener() { }).join();
        protocol.complete(socket.getSubprotocol());
        assertEquals("v11.stomp", protocol.get(5, TimeUnit.SECONDS));
        socket.abort();
    }

    @Test
    void severalFramesInOneMessageAndOneFrameOverSeveralMessages() throws Exception {
        try (WsClient client = WsClient.connect(server.ws("stomp"))) {
            client.sendText("CONNECT\naccept-version:1.2\n\n\0SUBSCRIBE\nid:s\ndestination:/topic/split\nreceipt:r\n\n\0");
            assertTrue(client.nextText().startsWith("CONNECTED"));
            assertTrue(client.nextText().startsWith("RECEIPT\nreceipt-id:r"));
            client.sendText("SEND\ndestination:/top");
            client.sendText("ic/split\n\nsplit ");
            client.sendBinary(bytes("body^@\n\n"));
            String message = client.nextText();
            assertTrue(message.startsWith("MESSAGE\n") && message.endsWith("\n\nsplit body\0"), message);
        }
    }

    @Test
    void malformedFrameGetsErrorThen1002() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect("127.0.0.1", server.port(), "/stomp")) {
            raw.sendFrame(RawWebSocket.TEXT, true, bytes("CONNECT\naccept-version:1.2\n\n^@"));
            raw.readFrame();
            raw.sendFrame(RawWebSocket.TEXT, true, bytes("SEND\ndestination:/topic/a\nno colon here\n\n^@"));
            String error = new String(raw.readFrame().payload(), StandardCharsets.UTF_8);
            assertTrue(error.startsWith("ERROR\n") && error.contains("message:header line without a colon"), error);
            assertEquals(1002, raw.awaitCloseCode());
        }
        Await.until("the 1002 close to be counted",
                () -> server.metricNow("switchboard_closes_total{code=\"1002\",endpoint=\"stomp\"}") >= 1);
    }

    @Test
    void oversizedFrameGetsErrorThen1009() throws Exception {
        try (WsClient client = WsClient.connect(server.ws("stomp"))) {
            client.sendText("CONNECT\naccept-version:1.2\n\n\0");
            client.nextText();
            client.sendText("SEND\ndestination:/topic/a\n\n" + "x".repeat(70_000) + "\0");
            assertTrue(client.nextText().startsWith("ERROR\n"));
            assertEquals(1009, client.awaitClose().code());
        }
    }

    @Test
    void silentPeerIsClosedAfterItsHeartbeatsStop() throws Exception {
        try (RunningServer beating = RunningServer.start(Map.of("stomp.heartbeat", "50,50"));
             RawWebSocket raw = RawWebSocket.connect("127.0.0.1", beating.port(), "/stomp")) {
            raw.sendFrame(RawWebSocket.TEXT, true, bytes("CONNECT\naccept-version:1.2\nheart-beat:50,0\n\n^@"));
            String connected = new String(raw.readFrame().payload(), StandardCharsets.UTF_8);
            assertTrue(connected.contains("heart-beat:0,50"), connected);
            // promised a beat every 50 ms, then says nothing
            assertEquals(1001, raw.awaitCloseCode());
        }
    }

    @Test
    void topicSubscriberThatStopsReadingIsClosedWith1013() throws Exception {
        RawWebSocket stalled = RawWebSocket.connect("127.0.0.1", server.port(), "/stomp");
        try (WsClient publisher = WsClient.connect(server.ws("stomp"))) {
            stalled.sendFrame(RawWebSocket.TEXT, true,
                    bytes("CONNECT\naccept-version:1.2\n\n^@SUBSCRIBE\nid:s\ndestination:/topic/firehose\n\n^@"));
            publisher.sendText("CONNECT\naccept-version:1.2\n\n\0");
            publisher.nextText();
            String body = "x".repeat(32 * 1024);
            double before = server.metric("switchboard_slow_consumer_closes_total{endpoint=\"stomp\"}");
            for (int i = 0; i < 2000 && server.metric("switchboard_slow_consumer_closes_total{endpoint=\"stomp\"}") == before; i++) {
                publisher.sendText("SEND\ndestination:/topic/firehose\n\n" + body + "\0");
            }
            Await.until("the stalled subscriber to be cut off", () ->
                    server.metricNow("switchboard_slow_consumer_closes_total{endpoint=\"stomp\"}") == before + 1);
            publisher.sendText("SEND\ndestination:/topic/firehose\nreceipt:still-fine\n\nx\0");
            String reply;
            do {
                reply = publisher.nextText();
            } while (!reply.startsWith("RECEIPT"));
            assertTrue(reply.contains("still-fine"), "the publisher was never slowed or closed");
        } finally {
            stalled.close();
        }
    }
}
