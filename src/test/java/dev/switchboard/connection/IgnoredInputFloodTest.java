package dev.switchboard.connection;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Input an endpoint ignores (images' text, the ticker's messages) still counts against the rate limit. */
class IgnoredInputFloodTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("rate.messages-per-second", "5", "rate.burst", "5"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Floods until the server closes; the server's 1008 is counted, the client sees it or a cut-off (1006). */
    private static void floodIsClosedWith1008(String path, String endpoint) throws Exception {
        String closes = "switchboard_closes_total{code=\"1008\",endpoint=\"" + endpoint + "\"}";
        double before = server.metricNow(closes);
        try (WsClient client = WsClient.connect(server.ws(path))) {
            for (int i = 0; i < 500 && !client.isClosed(); i++) {
                client.sendRefused("ignored " + i);
            }
            int code = client.awaitRefusalCode();
            assertTrue(code == 1008 || code == 1006, "closed with " + code);
        }
        Await.until("the server's 1008 to be counted", () -> server.metricNow(closes) == before + 1);
    }

    @Test
    void aFloodOfTextAtImagesIsClosedWith1008() throws Exception {
        floodIsClosedWith1008("images/flood", "images");
    }

    @Test
    void aFloodAtTheTickerIsClosedWith1008() throws Exception {
        floodIsClosedWith1008("overhead/ticker", "overhead");
    }
}
