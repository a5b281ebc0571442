package dev.switchboard.cluster;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.GridNodes;
import dev.switchboard.testing.ServerProcess;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A third node joining a grid whose room is in use: its client sees every node's members, the
 * history, and recovers with {@code since} through it exactly what it missed.
 */
class ClusterLateNodeTest {

    private static ServerProcess a;
    private static ServerProcess b;
    private static String name;
    private static String members;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        int portA = GridNodes.freePort();
        int portB = GridNodes.freePort();
        members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
        name = "late-test-" + ProcessHandle.current().pid();
        long starting = System.nanoTime();
        CompletableFuture<ServerProcess> startA = CompletableFuture.supplyAsync(() -> ChatNodes.node(name, "127.0.0.1", portA, members, List.of()));
        CompletableFuture<ServerProcess> startB = CompletableFuture.supplyAsync(() -> ChatNodes.node(name, "127.0.0.1", portB, members, List.of()));
        try {
            a = startA.get();
        } finally {
            b = startB.get();
        }
        Await.until("both nodes in one grid", Duration.ofSeconds(60), () -> ChatNodes.members(a) == 2 && ChatNodes.members(b) == 2);
        System.out.println("ClusterLateNodeTest: nodes up and in one grid after " + Duration.ofNanos(System.nanoTime() - starting).toMillis() + " ms");
    }

    @AfterAll
    static void stop() throws Exception {
        ChatNodes.stop(a, b);
    }

    @Test
    void aClientOfALateNodeSeesEveryNodesMembersAndRecoversThroughIt() throws Exception {
        String room = "late" + System.nanoTime() % 100_000;
        try (ChatNodes.Joined alice = ChatNodes.join(a, room, "alice");
             ChatNodes.Joined bob = ChatNodes.join(b, room, "bob")) {
            String epoch = bob.epoch();
            long seenByBob = 0;
            for (int i = 1; i <= 5; i++) {
                (i % 2 == 1 ? alice : bob).say("m" + i);
                JsonObject atBob = ChatNodes.message(bob.client(), "m" + i, Duration.ofSeconds(10));
                if (i == 2) {
                    seenByBob = atBob.getJsonNumber("offset").longValue();
                }
            }
            int gridPort = GridNodes.freePort();
            ServerProcess c = ChatNodes.node(name, "127.0.0.1", gridPort, members + ",127.0.0.1:" + gridPort, List.of());
            try {
                Await.until("three members on every node", Duration.ofSeconds(60),
                        () -> ChatNodes.members(a) == 3 && ChatNodes.members(b) == 3 && ChatNodes.members(c) == 3);
                try (ChatNodes.Joined carol = ChatNodes.join(c, room, "carol")) {
                    assertEquals(List.of("alice", "bob", "carol"), carol.nicks(), "the late node lists both nodes' members");
                    assertEquals(epoch, carol.epoch(), "one log");
                    JsonArray history = carol.welcome().getJsonArray("history");
                    assertEquals(List.of("m1", "m2", "m3", "m4", "m5"),
                            history.getValuesAs(JsonObject.class).stream().map(m -> m.getString("text")).toList());
                    ChatNodes.presence(alice.client(), "carol", "available", Duration.ofSeconds(10));
                    ChatNodes.presence(bob.client(), "carol", "available", Duration.ofSeconds(10));
                    // someone who saw up to m2 comes back through the new node
                    try (ChatNodes.Joined dave = ChatNodes.join(c, room, "dave", epoch + ":" + seenByBob)) {
                        assertTrue(dave.welcome().getBoolean("recovered"), dave.welcome().toString());
                        JsonArray missed = dave.welcome().getJsonArray("history");
                        assertEquals(List.of("m3", "m4", "m5"),
                                missed.getValuesAs(JsonObject.class).stream().map(m -> m.getString("text")).toList());
                        assertEquals(seenByBob + 1, missed.getJsonObject(0).getJsonNumber("offset").longValue());
                        // and the new node's messages reach the old ones, next in the order
                        carol.say("from c");
                        long offset = ChatNodes.message(alice.client(), "from c", Duration.ofSeconds(10)).getJsonNumber("offset").longValue();
                        assertEquals(offset, ChatNodes.message(bob.client(), "from c", Duration.ofSeconds(10)).getJsonNumber("offset").longValue());
                        assertEquals(offset, ChatNodes.message(dave.client(), "from c", Duration.ofSeconds(10)).getJsonNumber("offset").longValue());
                        assertEquals(missed.getJsonObject(2).getJsonNumber("offset").longValue() + 1, offset);
                    }
                }
            } finally {
                ChatNodes.stop(c);
            }
        }
    }
}
