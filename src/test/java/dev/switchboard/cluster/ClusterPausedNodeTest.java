package dev.switchboard.cluster;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.GridNodes;
import dev.switchboard.testing.ServerProcess;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One of three nodes paused (SIGSTOP) past the grid's heartbeat limit, then resumed (SIGCONT): the
 * others report its members {@code unavailable} within 15 s and keep serving; resumed, it comes
 * back as a new grid member, its members are announced available again and messages cross again.
 */
class ClusterPausedNodeTest {

    private static ServerProcess a;
    private static ServerProcess b;
    private static ServerProcess c;

    @BeforeAll
    static void startThreeNodes() throws Exception {
        int portA = GridNodes.freePort();
        int portB = GridNodes.freePort();
        int portC = GridNodes.freePort();
        String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB + ",127.0.0.1:" + portC;
        String name = "pause-test-" + ProcessHandle.current().pid();
        long starting = System.nanoTime();
        CompletableFuture<ServerProcess> startA = CompletableFuture.supplyAsync(() -> ChatNodes.node(name, "127.0.0.1", portA, members, List.of()));
        CompletableFuture<ServerProcess> startB = CompletableFuture.supplyAsync(() -> ChatNodes.node(name, "127.0.0.1", portB, members, List.of()));
        CompletableFuture<ServerProcess> startC = CompletableFuture.supplyAsync(() -> ChatNodes.node(name, "127.0.0.1", portC, members, List.of()));
        try {
            a = startA.get();
        } finally {
            try {
                b = startB.get();
            } finally {
                c = startC.get();
            }
        }
        Await.until("three nodes in one grid", Duration.ofSeconds(60),
                () -> ChatNodes.members(a) == 3 && ChatNodes.members(b) == 3 && ChatNodes.members(c) == 3);
        System.out.println("ClusterPausedNodeTest: nodes up and in one grid after " + Duration.ofNanos(System.nanoTime() - starting).toMillis() + " ms");
    }

    @AfterAll
    static void stop() throws Exception {
        ChatNodes.stop(a, b, c);
    }

    @Test
    void aPausedNodesMembersAreUnavailableAndBackWhenItResumes() throws Exception {
        String room = "pause" + System.nanoTime() % 100_000;
        try (ChatNodes.Joined alice = ChatNodes.join(a, room, "alice");
             ChatNodes.Joined bob = ChatNodes.join(b, room, "bob");
             ChatNodes.Joined carol = ChatNodes.join(c, room, "carol")) {
            ChatNodes.presence(alice.client(), "carol", "available", Duration.ofSeconds(10));
            ChatNodes.presence(bob.client(), "carol", "available", Duration.ofSeconds(10));
            alice.say("before");
            long before = ChatNodes.message(carol.client(), "before", Duration.ofSeconds(10)).getJsonNumber("offset").longValue();
            ChatNodes.message(bob.client(), "before", Duration.ofSeconds(10));
            String epoch = bob.epoch();
            String cId = ChatNodes.nodeId(c);

            long paused = System.nanoTime();
            c.pause();
            try {
                ChatNodes.presence(alice.client(), "carol", "unavailable", Duration.ofSeconds(20));
                long seconds = Duration.ofNanos(System.nanoTime() - paused).toSeconds();
                ChatNodes.presence(bob.client(), "carol", "unavailable", Duration.ofSeconds(5));
                assertTrue(seconds < 15, "carol unavailable after " + seconds + " s");
                Await.until("two members on A and B", Duration.ofSeconds(10), () -> ChatNodes.members(a) == 2 && ChatNodes.members(b) == 2);
                // the rest keep serving
                bob.say("while paused");
                JsonObject atAlice = ChatNodes.message(alice.client(), "while paused", Duration.ofSeconds(10));
                assertEquals(before + 1, atAlice.getJsonNumber("offset").longValue());
                try (ChatNodes.Joined dave = ChatNodes.join(a, room, "dave")) {
                    assertEquals(List.of("alice", "bob", "dave"), dave.nicks(), "carol is gone from the list");
                }
                System.out.println("pause: carol unavailable after " + seconds + " s");
            } finally {
                c.resume();
            }
            long resumed = System.nanoTime();
            Await.until("three members again on every node", Duration.ofSeconds(60),
                    () -> ChatNodes.members(a) == 3 && ChatNodes.members(b) == 3 && ChatNodes.members(c) == 3);
            System.out.println("pause: one grid of three " + Duration.ofNanos(System.nanoTime() - resumed).toMillis()
                    + " ms after SIGCONT");
            assertNotEquals(cId, ChatNodes.nodeId(c), "C merged back as a new grid member");
            // carol is announced available again on A and B; a newcomer anywhere lists her
            ChatNodes.presence(alice.client(), "carol", "available", Duration.ofSeconds(20));
            ChatNodes.presence(bob.client(), "carol", "available", Duration.ofSeconds(10));
            // and carol, whose node had dropped the others while it was alone, hears they are there
            // (announced in the grid map's order, not the join order)
            ChatNodes.presences(carol.client(), java.util.Set.of("alice", "bob"), "available", Duration.ofSeconds(20));
            try (ChatNodes.Joined erin = ChatNodes.join(c, room, "erin")) {
                assertEquals(List.of("alice", "bob", "carol", "erin"), erin.nicks());
            }
            try (ChatNodes.Joined erin = ChatNodes.join(a, room, "erin")) {
                assertEquals(List.of("alice", "bob", "carol", "erin"), erin.nicks());
            }
            // messages cross again, in one order for every node
            alice.say("after");
            long afterAtBob = ChatNodes.message(bob.client(), "after", Duration.ofSeconds(10)).getJsonNumber("offset").longValue();
            JsonObject atCarol = ChatNodes.message(carol.client(), "after", Duration.ofSeconds(10));
            assertEquals(afterAtBob, atCarol.getJsonNumber("offset").longValue());
            carol.say("carol is back");
            assertEquals(afterAtBob + 1, ChatNodes.message(alice.client(), "carol is back", Duration.ofSeconds(10))
                    .getJsonNumber("offset").longValue());
            // a reconnect with the old position gets what it missed, or recovered:false with a new epoch
            try (ChatNodes.Joined dave = ChatNodes.join(c, room, "dave", epoch + ":" + before)) {
                if (dave.welcome().getBoolean("recovered")) {
                    assertEquals(epoch, dave.epoch());
                    assertEquals(List.of("while paused", "after", "carol is back"), dave.welcome().getJsonArray("history")
                            .getValuesAs(JsonObject.class).stream().map(m -> m.getString("text")).toList());
                } else {
                    assertNotEquals(epoch, dave.epoch());
                }
                System.out.println("pause: since=" + epoch + ":" + before + " after the merge -> recovered:"
                        + dave.welcome().getBoolean("recovered"));
            }
            assertFalse(carol.client().isClosed(), "carol's connection stays");
        }
    }
}
