package dev.switchboard.bench;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.GridNodes;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load tool's cluster scenarios, tiny and short, on two in-process nodes of one grid: they
 * must count right (nothing lost, in order, every member reported). Speed is never asserted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterLoadTest {

    private static RunningServer a;
    private static RunningServer b;
    private static LoadClient client;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        int portA = GridNodes.freePort();
        int portB = GridNodes.freePort();
        String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
        String name = "cluster-load-test-" + ProcessHandle.current().pid();
        CompletableFuture<RunningServer> startA = CompletableFuture.supplyAsync(() -> node(name, portA, members));
        CompletableFuture<RunningServer> startB = CompletableFuture.supplyAsync(() -> node(name, portB, members));
        a = startA.get();
        b = startB.get();
        Await.until("both nodes in one grid", Duration.ofSeconds(60),
                () -> GridNodes.members(a.http("health")) == 2 && GridNodes.members(b.http("health")) == 2);
        client = new LoadClient();
    }

    private static RunningServer node(String name, int gridPort, String members) {
        return RunningServer.start(Map.of("cluster", "on", "cluster.name", name, "cluster.port", Integer.toString(gridPort),
                "cluster.members", members, "rate.messages-per-second", "100000", "rate.burst", "100000"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static String base(RunningServer node) {
        return "ws://127.0.0.1:" + node.port() + "/";
    }

    @Test
    @Order(1)
    void stompFanOutAcrossNodesIsPrimedAndLosesNothing() throws Exception {
        for (LoadClient.Pace pace : new LoadClient.Pace[] {LoadClient.Pace.MAX, LoadClient.Pace.fixed(500)}) {
            Results r = client.stompFanOut(base(a), List.of(base(a), base(b)), "two nodes", 6, pace, false,
                    LoadClient.STOMP_BODY_BYTES, Duration.ofMillis(500));
            assertTrue(r.values().get("deliveries/s") > 0, r.toString());
            assertEquals(0.0, r.values().get("lost"), r.toString());
            assertEquals(0.0, r.values().get("out-of-order"), r.toString());
        }
    }

    @Test
    @Order(2)
    void chatLatencyIsMeasuredForTheReceiversOnEachNode() throws Exception {
        List<Results> rows = client.chatLatency(base(a), List.of(base(a), base(b)), List.of("to node A", "to node B"),
                5, 100, Duration.ofMillis(200), Duration.ofMillis(500));
        assertEquals(2, rows.size());
        for (Results r : rows) {
            assertTrue(r.values().get("p50 ms") > 0, r.toString());
            assertEquals(0.0, r.values().get("lost"), r.toString());
        }
    }

    @Test
    @Order(3) // last: it stops node B
    void everyMemberOfAStoppedNodeIsReportedUnavailableToEveryWatcher() throws Exception {
        Results r = client.presenceAfterKill(base(a), base(b), 8, 3, "stop", () -> {
            b.close();
            b = null;
        });
        assertEquals(0.0, r.values().get("never"), r.toString());
        assertTrue(r.values().get("min ms") <= r.values().get("median ms"), r.toString());
        assertTrue(r.values().get("median ms") <= r.values().get("max ms"), r.toString());
        assertTrue(r.values().get("max ms") < 15_000, r.toString());
    }
}
