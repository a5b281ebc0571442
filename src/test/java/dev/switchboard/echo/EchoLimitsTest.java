package dev.switchboard.echo;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Server-wide limits and shutdown, each on a server of its own. */
class EchoLimitsTest {

    @Test
    void connectionBeyondMaxConnectionsGets503() throws Exception {
        try (RunningServer server = RunningServer.start(Map.of("max-connections", "2"));
             WsClient first = WsClient.connect(server.ws("echo"));
             WsClient second = WsClient.connect(server.ws("echo"))) {
            // the client may see its 101 before the server has counted the connection
            Await.until("both to be counted", () -> server.server().application().connections().count() == 2);
            assertEquals(503, WsClient.refusedStatus(server.ws("echo"), null));
            assertEquals(1, server.metric("switchboard_handshakes_refused_total{endpoint=\"echo\",status=\"503\"}"));
            first.closeNormally();
            first.awaitClose();
            Await.until("the slot to free up", () -> server.server().application().connections().count() == 1);
            try (WsClient third = WsClient.connect(server.ws("echo"))) {
                assertEquals("again", third.sendText("again").nextText());
            }
        }
    }

    @Test
    void shutdownClosesOpenConnectionsWith1001() throws Exception {
        RunningServer server = RunningServer.start();
        try (WsClient a = WsClient.connect(server.ws("echo")); WsClient b = WsClient.connect(server.ws("echo"))) {
            a.sendText("ready").nextText();
            b.sendText("ready").nextText();
            server.close();
            assertEquals(1001, a.awaitClose().code());
            assertEquals(1001, b.awaitClose().code());
        }
    }

    @Test
    void peerThatNeverAnswersIsClosedWith1001AfterTheIdleTimeout() throws Exception {
        try (RunningServer server = RunningServer.start(Map.of("idle-timeout", "300ms", "keepalive-interval", "100ms"));
             RawWebSocket silent = RawWebSocket.connect("127.0.0.1", server.port(), "/echo")) {
            int pings = 0;
            while (true) {
                RawWebSocket.Frame frame = silent.readFrame();
                if (frame.opcode() == RawWebSocket.PING) {
                    pings++; // and never answered
                } else if (frame.opcode() == RawWebSocket.CLOSE) {
                    assertEquals(1001, frame.closeCode());
                    break;
                }
            }
            assertTrue(pings >= 1, "the server pinged before giving up");
            Await.until("the idle close to be counted",
                    () -> server.metricNow("switchboard_closes_total{code=\"1001\",endpoint=\"echo\"}") == 1);
        }
    }

    @Test
    void peerThatAnswersPingsStaysConnectedPastTheIdleTimeout() throws Exception {
        try (RunningServer server = RunningServer.start(Map.of("idle-timeout", "300ms", "keepalive-interval", "50ms"));
             RawWebSocket alive = RawWebSocket.connect("127.0.0.1", server.port(), "/echo")) {
            long start = System.nanoTime();
            int pongs = 0;
            // answer pings for well over twice the idle timeout; the server must not close
            while (System.nanoTime() - start < 800_000_000L) {
                RawWebSocket.Frame frame = alive.readFrame();
                assertEquals(RawWebSocket.PING, frame.opcode(), "only pings arrive, no close");
                alive.sendFrame(RawWebSocket.PONG, true, frame.payload());
                pongs++;
            }
            assertTrue(pongs >= 5);
            alive.sendFrame(RawWebSocket.TEXT, true, "still here".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            RawWebSocket.Frame reply;
            do {
                reply = alive.readFrame();
            } while (reply.opcode() == RawWebSocket.PING);
            assertEquals("still here", new String(reply.payload(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
