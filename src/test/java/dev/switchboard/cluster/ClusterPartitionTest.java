package dev.switchboard.cluster;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.NetNamespaces;
import dev.switchboard.testing.ServerProcess;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
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
 * Two nodes, each in a network namespace of its own, cut off from each other (their clients still
 * reach both) and then healed: each side sees the other's loss and serves its own clients; healed,
 * they merge back into one grid, with each side's members visible to the other, messages crossing
 * again, and no offset of the split reused under the old epoch. Needs root and iproute2.
 */
class ClusterPartitionTest {

    private static final int GRID_PORT = 5701; // each node has a network stack of its own
    private static NetNamespaces spaces;
    private static ServerProcess a;
    private static ServerProcess b;

    @BeforeAll
    static void startTwoNodesInTheirOwnNamespaces() throws Exception {
        String unavailable = NetNamespaces.unavailable();
        Assumptions.assumeTrue(unavailable == null, () -> "skipped: " + unavailable);
        spaces = NetNamespaces.create(2);
        String members = spaces.address(0) + ":" + GRID_PORT + "," + spaces.address(1) + ":" + GRID_PORT;
        String name = "partition-test-" + ProcessHandle.current().pid();
        long starting = System.nanoTime();
        CompletableFuture<ServerProcess> startA = CompletableFuture.supplyAsync(() ->
                ChatNodes.node(name, spaces.address(0), GRID_PORT, members, spaces.exec(0)));
        CompletableFuture<ServerProcess> startB = CompletableFuture.supplyAsync(() ->
                ChatNodes.node(name, spaces.address(1), GRID_PORT, members, spaces.exec(1)));
        try {
            a = startA.get();
        } finally {
            b = startB.get();
        }
        Await.until("both nodes in one grid", Duration.ofSeconds(60), () -> ChatNodes.members(a) == 2 && ChatNodes.members(b) == 2);
        System.out.println("ClusterPartitionTest: nodes up and in one grid after " + Duration.ofNanos(System.nanoTime() - starting).toMillis() + " ms");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            ChatNodes.stop(a, b);
        } finally {
            if (spaces != null) {
                spaces.close();
            }
        }
    }

    private static List<String> texts(JsonObject welcome) {
        return welcome.getJsonArray("history").getValuesAs(JsonObject.class).stream().map(m -> m.getString("text")).toList();
    }

    @Test
    void bothSidesServeThroughACutAndMergeBackWhenItHeals() throws Exception {
        String room = "split" + System.nanoTime() % 100_000;
        try (ChatNodes.Joined alice = ChatNodes.join(a, room, "alice");
             ChatNodes.Joined bob = ChatNodes.join(b, room, "bob")) {
            ChatNodes.presence(alice.client(), "bob", "available", Duration.ofSeconds(10));
            alice.say("before");
            long before = ChatNodes.message(bob.client(), "before", Duration.ofSeconds(10)).getJsonNumber("offset").longValue();
            ChatNodes.message(alice.client(), "before", Duration.ofSeconds(10));
            String epoch = bob.epoch();

            long cut = System.nanoTime();
            spaces.cut(0, 1);
            boolean healed = false;
            long seenByAlice;
            long seenByBob;
            try {
                ChatNodes.presence(alice.client(), "bob", "unavailable", Duration.ofSeconds(20));
                ChatNodes.presence(bob.client(), "alice", "unavailable", Duration.ofSeconds(20));
                long seconds = Duration.ofNanos(System.nanoTime() - cut).toSeconds();
                assertTrue(seconds < 15, "each side's members unavailable to the other after " + seconds + " s");
                Await.until("one member on each side", Duration.ofSeconds(10), () -> ChatNodes.members(a) == 1 && ChatNodes.members(b) == 1);
                // each side serves its own clients, in its own order
                alice.say("A alone");
                seenByAlice = ChatNodes.message(alice.client(), "A alone", Duration.ofSeconds(10)).getJsonNumber("offset").longValue();
                bob.say("B alone 1");
                bob.say("B alone 2");
                ChatNodes.message(bob.client(), "B alone 1", Duration.ofSeconds(10));
                seenByBob = ChatNodes.message(bob.client(), "B alone 2", Duration.ofSeconds(10)).getJsonNumber("offset").longValue();
                try (ChatNodes.Joined carol = ChatNodes.join(a, room, "carol")) {
                    assertEquals(List.of("alice", "carol"), carol.nicks());
                }
                try (ChatNodes.Joined carol = ChatNodes.join(b, room, "carol")) {
                    assertEquals(List.of("bob", "carol"), carol.nicks(), "a nick free on this side");
                }
                System.out.println("partition: each side's members unavailable to the other after " + seconds + " s");
                spaces.heal(0, 1);
                healed = true;
            } finally {
                if (!healed) {
                    spaces.heal(0, 1);
                }
            }
            long heal = System.nanoTime();
            Await.until("one grid of two again", Duration.ofSeconds(60), () -> ChatNodes.members(a) == 2 && ChatNodes.members(b) == 2);
            long merged = Duration.ofNanos(System.nanoTime() - heal).toMillis();
            ChatNodes.presence(alice.client(), "bob", "available", Duration.ofSeconds(20));
            ChatNodes.presence(bob.client(), "alice", "available", Duration.ofSeconds(20));
            System.out.println("partition: one grid " + merged + " ms after the heal, members back after "
                    + Duration.ofNanos(System.nanoTime() - heal).toMillis() + " ms");
            String current;
            try (ChatNodes.Joined onA = ChatNodes.join(a, room, "dave");
                 ChatNodes.Joined onB = ChatNodes.join(b, room, "erin")) {
                assertEquals(List.of("alice", "bob", "dave"), onA.nicks());
                assertEquals(List.of("alice", "bob", "dave", "erin"), onB.nicks());
                current = onA.epoch();
                assertEquals(current, onB.epoch(), "one log again");
                assertNotEquals(epoch, current, "the split's offsets are not reused under the old epoch");
            }
            // messages cross again, one order on both nodes
            alice.say("healed");
            long offset = ChatNodes.message(alice.client(), "healed", Duration.ofSeconds(10)).getJsonNumber("offset").longValue();
            assertEquals(offset, ChatNodes.message(bob.client(), "healed", Duration.ofSeconds(10)).getJsonNumber("offset").longValue());
            bob.say("healed too");
            assertEquals(offset + 1, ChatNodes.message(alice.client(), "healed too", Duration.ofSeconds(10)).getJsonNumber("offset").longValue());
            // a position from either side of the split is not recovered; one from after it is, on either node
            for (String since : List.of(epoch + ":" + seenByAlice, epoch + ":" + seenByBob, epoch + ":" + before)) {
                try (ChatNodes.Joined back = ChatNodes.join(since.endsWith(":" + seenByBob) ? a : b, room, "carol", since)) {
                    assertFalse(back.welcome().getBoolean("recovered"), "since=" + since + ": " + back.welcome());
                    assertEquals(current, back.epoch());
                }
            }
            try (ChatNodes.Joined back = ChatNodes.join(b, room, "carol", current + ":" + offset)) {
                assertTrue(back.welcome().getBoolean("recovered"), back.welcome().toString());
                assertEquals(List.of("healed too"), texts(back.welcome()));
            }
        }
    }
}
