package dev.switchboard.bench;

import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load tool's scenarios, tiny and short, against a real server: they must move messages and
 * count them right (nothing lost, in order). Speed is the tool's business, never asserted here.
 */
class LoadClientTest {

    private static RunningServer server;
    private static LoadClient client;
    private static String base;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("rate.messages-per-second", "100000", "rate.burst", "100000",
                "send-queue-bytes", "262144"));
        client = new LoadClient();
        base = "ws://127.0.0.1:" + server.port() + "/";
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void echoRoundTripsFlow() throws Exception {
        assertTrue(client.echoThroughput(base, 4, 4, 64, Duration.ZERO, Duration.ofMillis(500)) > 0);
        assertTrue(client.echoLatency(base, 4, 200, Duration.ZERO, Duration.ofMillis(500)).getTotalCount() > 0);
    }

    @Test
    void stompFanOutDeliversEverythingInOrderAtBothPaces() throws Exception {
        for (LoadClient.Pace pace : new LoadClient.Pace[] {LoadClient.Pace.MAX, LoadClient.Pace.fixed(500)}) {
            Results r = client.stompFanOut(base, "switchboard", 5, pace, Duration.ofMillis(500));
            assertTrue(r.values().get("deliveries/s") > 0, r.toString());
            assertEquals(0.0, r.values().get("lost"), r.toString());
            assertEquals(0.0, r.values().get("out-of-order"), r.toString());
        }
    }

    @Test
    void aStalledSubscriberIsClosedWith1013AndTheOthersLoseNothing() throws Exception {
        Results r = client.stompFanOut(base, "switchboard", 3, LoadClient.Pace.MAX, true, 4096, Duration.ofSeconds(3));
        assertEquals(0.0, r.values().get("lost"), r.toString());
        assertEquals(1.0, r.values().get("closed 1013"), r.toString());
    }

    @Test
    void aReconnectStormRecoversEveryDroppedMemberWithNothingMissedOrDuplicated() throws Exception {
        Results r = client.reconnectStorm(base, "switchboard", "storm-test", 20, 5, 100, Duration.ofMillis(300),
                Duration.ofMillis(200), Duration.ofSeconds(1));
        assertEquals(5.0, r.values().get("attempted"), r.toString());
        assertEquals(5.0, r.values().get("recovered"), r.toString());
        assertEquals(0.0, r.values().get("missed"), r.toString());
        assertEquals(0.0, r.values().get("duplicated"), r.toString());
        assertEquals(0.0, r.values().get("lost"), r.toString());
        assertEquals(0.0, r.values().get("others lost"), r.toString());
        assertTrue(r.values().get("recover p99 ms") > 0, r.toString());
    }

    @Test
    void chatAndImageFanOutDeliver() throws Exception {
        assertTrue(client.chatFanOut(base, "switchboard", 5, Duration.ofMillis(500)).values().get("deliveries/s") > 0);
        Results images = client.imageFanOut(base, "switchboard", 4, 64 * 1024, Duration.ofMillis(500));
        assertTrue(images.values().get("deliveries/s") > 0, images.toString());
        assertEquals(0.0, images.values().get("lost"), images.toString());
    }
}
