package dev.switchboard.bench;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The XMPP scenarios, tiny and short, against Debian's Prosody as the bench starts it (skipped
 * where Prosody is not installed): the client logs in, joins, and counts every delivery. Speed is
 * never asserted.
 */
class XmppLoadProsodyTest {

    private static ProsodyPeer prosody;
    private static LoadClient client;
    private static XmppLoad.Target target;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(ProsodyPeer.installed(), "Prosody is not installed (apt-get install prosody)");
        prosody = ProsodyPeer.start();
        client = new LoadClient();
        target = new XmppLoad.Target("prosody", prosody.xmppUrl(), null, "localhost", prosody.pid());
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    @Test
    void prosodyReportsItsVersion() {
        assertTrue(prosody.version().matches("\\d+\\.\\d+.*"), prosody.version());
    }

    @Test
    void mucFanOutDeliversToEveryOccupant() throws Exception {
        Results row = new XmppLoad(client, Duration.ZERO, Duration.ofMillis(500))
                .mucFanOut(target, 5, 0, Duration.ofMillis(500));
        assertTrue(row.values().get("deliveries/s") > 0, row.toString());
        assertEquals(0.0, row.values().get("lost"), row.toString());
        assertTrue(row.values().containsKey("server cpu %"), row.toString());
    }

    @Test
    void oneToOneRoundTripsFlow() throws Exception {
        Results row = new XmppLoad(client, Duration.ZERO, Duration.ofMillis(500))
                .roundTrips(target, 3, Duration.ofMillis(200), Duration.ofMillis(500));
        assertTrue(row.values().get("round trips/s") > 0, row.toString());
    }
}
