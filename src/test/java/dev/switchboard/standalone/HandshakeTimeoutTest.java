package dev.switchboard.standalone;

import dev.switchboard.testing.RawHttp;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code handshake-timeout} and {@code max-connections} at the listener: sockets that never finish
 * a request are closed at the deadline (a trickle of bytes does not extend it) and count against
 * the limit with the WebSockets; idle keep-alive HTTP connections are closed, upgraded WebSockets
 * are not; beyond the socket cap a new connection gets 503 at once.
 */
class HandshakeTimeoutTest {

    private static final int MAX_CONNECTIONS = 3;
    private static RunningServer server;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("handshake-timeout", "1s", "max-connections", Integer.toString(MAX_CONNECTIONS)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
        Await.until("the listener to let go of every test connection", Duration.ofSeconds(10),
                () -> server.metricNow("switchboard_listener_connections{state=\"unfinished\"}") == 0);
    }

    @Test
    void aSocketThatSendsNothingIsClosedAtTheDeadline() throws Exception {
        RawHttp silent = open(new RawHttp(server.port()));
        long start = System.nanoTime();
        assertTrue(silent.closedByServer(), "closed by the server");
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMillis >= 800 && elapsedMillis < 5_000, "closed after " + elapsedMillis + " ms");
    }

    @Test
    void aSlowlorisIsCutAtTheDeadlineNotResetByEachByte() throws Exception {
        double timeoutsBefore = server.metric("switchboard_listener_handshake_timeouts_total");
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            slow.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            boolean cut = false;
            // one header byte every 100 ms: an idle timer would never fire
            for (int i = 0; i < 100 && !cut; i++) {
                try {
                    slow.getOutputStream().write('X');
                    slow.getOutputStream().flush();
                    slow.setSoTimeout(100);
                    cut = slow.getInputStream().read() < 0;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // go on trickling
                } catch (IOException reset) {
                    cut = true;
                }
            }
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(cut, "the trickle was cut");
            assertTrue(elapsedMillis < 4_000, "cut after " + elapsedMillis + " ms");
        }
        assertTrue(server.metric("switchboard_listener_handshake_timeouts_total") > timeoutsBefore, "counted");
    }

    @Test
    void anIdleKeepAliveHttpConnectionIsClosed() throws Exception {
        RawHttp http = open(new RawHttp(server.port()));
        assertEquals(200, http.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read().status());
        assertEquals(200, http.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read().status(), "kept alive");
        assertTrue(http.closedByServer(), "closed once idle");
    }

    @Test
    void anUpgradedWebSocketOutlivesTheHandshakeTimeout() throws Exception {
        RawWebSocket socket = open(RawWebSocket.connect("127.0.0.1", server.port(), "/echo"));
        RawHttp silent = open(new RawHttp(server.port()));
        assertTrue(silent.closedByServer(), "the deadline has passed for a socket opened after the WebSocket");
        socket.sendFrame(RawWebSocket.TEXT, true, "still here".getBytes(StandardCharsets.UTF_8));
        assertEquals("still here", new String(socket.readFrame().payload(), StandardCharsets.UTF_8));
    }

    @Test
    void unfinishedRequestsCountWithWebSocketsAgainstMaxConnections() throws Exception {
        for (int i = 0; i < MAX_CONNECTIONS; i++) {
            open(new RawHttp(server.port()));
        }
        Await.until("the silent sockets to be accepted",
                () -> server.metricNow("switchboard_listener_connections{state=\"unfinished\"}") >= MAX_CONNECTIONS);
        assertEquals(503, WsClient.refusedStatus(server.ws("echo"), null), "full: the handshake is refused");
        assertEquals(200, server.get("health").statusCode(), "plain HTTP still answers");
        Await.until("the silent sockets to time out", Duration.ofSeconds(10),
                () -> server.metricNow("switchboard_listener_connections{state=\"unfinished\"}") == 0);
        try (WsClient client = WsClient.connect(server.ws("echo"))) {
            assertEquals("room again", client.sendText("room again").nextText());
        }
    }

    @Test
    void beyondTheSocketCapANewConnectionGets503AndIsClosed() throws Exception {
        for (int i = 0; i < MAX_CONNECTIONS + DescriptorBudget.HTTP_HEADROOM; i++) {
            open(new Socket("127.0.0.1", server.port()));
        }
        Await.until("the sockets to be accepted", () ->
                server.metricNow("switchboard_listener_connections{state=\"all\"}") >= MAX_CONNECTIONS + DescriptorBudget.HTTP_HEADROOM);
        try (RawHttp extra = new RawHttp(server.port())) {
            RawHttp.Answer answer = extra.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read();
            assertEquals(503, answer.status());
            assertEquals("nosniff", answer.header("X-Content-Type-Options"));
            assertTrue(extra.closedByServer());
        }
    }

    private <T extends AutoCloseable> T open(T closeable) {
        opened.add(closeable);
        return closeable;
    }
}
