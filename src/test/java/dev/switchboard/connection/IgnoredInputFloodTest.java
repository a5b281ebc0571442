package dev.switchboard.connection;

import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    private static int floodUntilClosed(String path) throws Exception {
        try (WsClient client = WsClient.connect(server.ws(path))) {
            for (int i = 0; i < 500 && !client.isClosed(); i++) {
                client.sendRefused("ignored " + i);
            }
            return client.awaitClose().code();
        }
    }

    @Test
    void aFloodOfTextAtImagesIsClosedWith1008() throws Exception {
        assertEquals(1008, floodUntilClosed("images/flood"));
    }

    @Test
    void aFloodAtTheTickerIsClosedWith1008() throws Exception {
        assertEquals(1008, floodUntilClosed("overhead/ticker"));
    }
}
