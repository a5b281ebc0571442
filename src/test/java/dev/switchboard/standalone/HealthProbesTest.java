package dev.switchboard.standalone;

import dev.switchboard.Switchboard;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.testing.Await;
import dev.switchboard.testing.RawHttp;
import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * health/live and health/ready: open without login; ready is 503 while starting and all through a
 * shutdown (live stays 200), which logs what it did.
 */
class HealthProbesTest {

    private static RawHttp.Answer get(int port, String path) throws Exception {
        return RawHttp.exchange(port, "GET /" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    }

    @Test
    void liveAndReadyAnswerWithoutLoginBesideHealth() throws Exception {
        try (RunningServer server = RunningServer.start(Map.of("security", "on", "security.users", "olga:{noop}pw:operator"))) {
            RawHttp.Answer live = get(server.port(), "health/live");
            assertEquals(200, live.status());
            assertTrue(live.body().contains("\"status\":\"LIVE\""), live.body());
            RawHttp.Answer ready = get(server.port(), "health/ready");
            assertEquals(200, ready.status());
            assertTrue(ready.body().contains("\"status\":\"READY\""), ready.body());
            RawHttp.Answer health = get(server.port(), "health");
            assertEquals(200, health.status());
            assertTrue(health.body().contains("\"status\":\"UP\""), "health as it was: " + health.body());
        }
    }

    @Test
    void notReadyUntilStarted() throws Exception {
        Path data = Files.createTempDirectory("switchboard-ready");
        Switchboard app = new Switchboard(SwitchboardConfig.of(Map.of("data-dir", data.toString())));
        try {
            assertEquals("starting", app.notReady(), "built, not yet listening");
            app.started();
            assertEquals(null, app.notReady());
        } finally {
            app.shutdown(Duration.ZERO);
            RunningServer.deleteTree(data);
        }
        assertEquals("shutting down", app.notReady());
    }

    @Test
    void readyIs503ThroughoutAShutdownAndTheLogSaysWhatItDid() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                log.add(java.text.MessageFormat.format(record.getMessage(), record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(Switchboard.class.getName());
        logger.addHandler(capture);
        RunningServer server = RunningServer.start();
        int port = server.port();
        try (RawWebSocket deaf = RawWebSocket.connect("127.0.0.1", port, "/echo")) {
            Await.until("the WebSocket to be open", () -> server.server().application().connections().count() == 1);
            assertEquals(200, get(port, "health/ready").status());
            // a peer that never answers the close keeps the shutdown in its grace period: health/ready is asked meanwhile
            CompletableFuture<Void> draining = CompletableFuture.runAsync(() -> server.server().drain());
            Await.until("the shutdown to begin", () -> server.server().application().isShuttingDown());
            RawHttp.Answer ready = get(port, "health/ready");
            assertEquals(503, ready.status());
            assertTrue(ready.body().contains("\"reason\":\"shutting down\""), ready.body());
            assertEquals(200, get(port, "health/live").status(), "the process still answers");
            draining.get();
            assertEquals(503, get(port, "health/ready").status(), "and after it, until the port closes");
        } finally {
            server.close();
            logger.removeHandler(capture);
        }
        assertTrue(log.stream().anyMatch(l -> l.contains("health/ready and new handshakes answer 503")
                && l.contains("closing 1 WebSocket connections with 1001")), "said at the start: " + log);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("Switchboard stopped in ") && l.contains("1 WebSocket connections closed with 1001")
                && l.contains("the STOMP store closed")), "said at the end: " + log);
    }
}
