package dev.switchboard.standalone;

import dev.switchboard.testing.RawHttp;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shutdown in a load balancer's order: health says DOWN (503), never 404, while the WebSockets are closed and until the port closes. */
class ShutdownHealthTest {

    @Test
    void healthAnswers503DownWhileWebSocketsAreClosedAndNewHandshakesGet503() throws Exception {
        RunningServer server = RunningServer.start();
        int port = server.port();
        // a peer that never answers the close frame keeps the shutdown in its grace period
        try (RawWebSocket deaf = RawWebSocket.connect("127.0.0.1", port, "/echo")) {
            Await.until("the WebSocket to be open", () -> server.server().application().connections().count() == 1);
            server.server().drain(); // what close() does first
            assertEquals(1001, readUntilClose(deaf).closeCode(), "the WebSocket is closed with 1001");
            RawHttp.Answer health = RawHttp.exchange(port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals(503, health.status());
            assertTrue(health.body().contains("\"status\":\"DOWN\""), health.body());
            RawHttp.Answer handshake = RawHttp.exchange(port, "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
            assertEquals(503, handshake.status(), "no new WebSocket while shutting down");
            server.close();
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "then the port closes");
        } finally {
            server.close();
        }
    }

    private static RawWebSocket.Frame readUntilClose(RawWebSocket socket) throws IOException {
        while (true) {
            RawWebSocket.Frame frame = socket.readFrame();
            if (frame.opcode() == RawWebSocket.CLOSE) {
                return frame;
            }
        }
    }
}
