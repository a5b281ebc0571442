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
 * The XMPP scenarios, tiny and short, against Switchboard's own {@code xmpp} endpoint (security
 * off): every occupant and JSON member gets every room message, in order, and 1:1 round trips
 * flow. Speed is never asserted.
 */
class XmppLoadTest {

    private static RunningServer server;
    private static LoadClient client;
    private static XmppLoad.Target target;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("rate.messages-per-second", "100000", "rate.burst", "100000"));
        client = new LoadClient();
        String base = "ws://127.0.0.1:" + server.port() + "/";
        // the server runs in this JVM: its CPU is this process's
        target = new XmppLoad.Target("switchboard", base + "xmpp", base, "localhost", ProcessHandle.current().pid());
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void mucFanOutReachesEveryOccupantInOrder() throws Exception {
        Results row = new XmppLoad(client, Duration.ZERO, Duration.ofMillis(500)).mucFanOut(target, 6, 0, Duration.ofMillis(500));
        assertTrue(row.values().get("deliveries/s") > 0, row.toString());
        assertEquals(0.0, row.values().get("lost"), row.toString());
        assertEquals(0.0, row.values().get("out-of-order"), row.toString());
    }

    @Test
    void aRoomOfXmppOccupantsAndJsonMembersGetsEveryMessage() throws Exception {
        Results row = new XmppLoad(client, Duration.ZERO, Duration.ofMillis(500)).mucFanOut(target, 3, 3, Duration.ofMillis(500));
        assertTrue(row.scenario().contains("json"), row.scenario());
        assertTrue(row.values().get("deliveries/s") > 0, row.toString());
        assertEquals(0.0, row.values().get("lost"), row.toString());
        assertEquals(0.0, row.values().get("out-of-order"), row.toString());
    }

    @Test
    void oneToOneRoundTripsFlow() throws Exception {
        Results row = new XmppLoad(client, Duration.ZERO, Duration.ofMillis(500))
                .roundTrips(target, 3, Duration.ofMillis(200), Duration.ofMillis(500));
        assertTrue(row.values().get("round trips/s") > 0, row.toString());
        assertTrue(row.values().get("p99 ms") >= row.values().get("p50 ms"), row.toString());
    }
}
