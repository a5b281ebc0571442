package dev.switchboard.cluster;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.GridNodes;
import dev.switchboard.testing.ServerProcess;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kill -9} of one of two nodes while both nodes' members send to one room: the survivor's
 * members get one order with no gap (consecutive offsets, the same ids), every message its own
 * sender sent, and the killed node's members {@code unavailable} within 15 s.
 */
class ClusterKillDuringFanOutTest {

    private static final int EACH = 150;
    private static ServerProcess a;
    private static ServerProcess b;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        int portA = GridNodes.freePort();
        int portB = GridNodes.freePort();
        String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
        String name = "kill-test-" + ProcessHandle.current().pid();
        CompletableFuture<ServerProcess> startA = CompletableFuture.supplyAsync(() -> ChatNodes.node(name, "127.0.0.1", portA, members, List.of()));
        CompletableFuture<ServerProcess> startB = CompletableFuture.supplyAsync(() -> ChatNodes.node(name, "127.0.0.1", portB, members, List.of()));
        try {
            a = startA.get();
        } finally {
            b = startB.get();
        }
        Await.until("both nodes in one grid", Duration.ofSeconds(60), () -> ChatNodes.members(a) == 2 && ChatNodes.members(b) == 2);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (a != null) {
                a.close();
            }
        } finally {
            if (b != null) {
                b.close();
            }
        }
    }

    @Test
    void theSurvivorsMembersGetEveryMessageInOneOrderAndTheKilledNodesMembersAreUnavailableWithin15Seconds() throws Exception {
        String room = "fanout" + System.nanoTime() % 100_000;
        try (ChatNodes.Joined alice = ChatNodes.join(a, room, "alice");
             ChatNodes.Joined carol = ChatNodes.join(a, room, "carol");
             ChatNodes.Joined bob = ChatNodes.join(b, room, "bob");
             ChatNodes.Joined dave = ChatNodes.join(b, room, "dave")) {
            ChatNodes.presence(carol.client(), "dave", "available", Duration.ofSeconds(10));
            long start = dave.welcome().getJsonNumber("offset").longValue();
            // both nodes publish at once; B dies in the middle of it
            CompletableFuture<Void> fromB = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < EACH; i++) {
                    bob.say("b" + i);
                }
            });
            for (int i = 0; i < EACH; i++) {
                alice.say("a" + i);
                if (i == EACH / 3) {
                    ChatNodes.message(carol.client(), "a" + (EACH / 4), Duration.ofSeconds(10)); // fan-out under way
                }
            }
            fromB.join();
            List<JsonObject> atCarol = new ArrayList<>();
            long killed = System.nanoTime();
            b.kill();
            for (int i = 0; i < EACH; i++) {
                alice.say("after" + i);
            }
            // carol's whole stream: messages up to "after<last>", and bob's and dave's unavailable
            Set<String> unavailable = new HashSet<>();
            long unavailableSeconds = -1;
            boolean last = false;
            while (!last || unavailable.size() < 2) {
                JsonObject next = ChatNodes.json(carol.client().next(Duration.ofSeconds(30)).text());
                switch (next.getString("type")) {
                    case "message" -> {
                        atCarol.add(next);
                        last |= next.getString("text").equals("after" + (EACH - 1));
                    }
                    case "presence" -> {
                        if (next.getString("presence").equals("unavailable")) {
                            unavailable.add(next.getString("nick"));
                            unavailableSeconds = Duration.ofNanos(System.nanoTime() - killed).toSeconds();
                        }
                    }
                    default -> {
                    }
                }
            }
            assertEquals(Set.of("bob", "dave"), unavailable);
            assertTrue(unavailableSeconds < 15, "unavailable after " + unavailableSeconds + " s");
            // one order, no gaps, nothing of alice's missing; alice saw the same order
            Set<String> texts = new HashSet<>();
            for (int i = 0; i < atCarol.size(); i++) {
                assertEquals(start + 1 + i, atCarol.get(i).getJsonNumber("offset").longValue(), "offsets consecutive at " + i);
                texts.add(atCarol.get(i).getString("text"));
            }
            for (int i = 0; i < EACH; i++) {
                assertTrue(texts.contains("a" + i) && texts.contains("after" + i), "alice's message " + i + " reached carol");
            }
            for (JsonObject expected : atCarol) {
                JsonObject atAlice = ChatNodes.next(alice.client(), "message", Duration.ofSeconds(10));
                assertEquals(expected.getString("id"), atAlice.getString("id"));
                assertEquals(expected.getJsonNumber("offset"), atAlice.getJsonNumber("offset"));
            }
            System.out.println("kill during fan-out: " + atCarol.size() + " messages at the survivor ("
                    + (atCarol.size() - 2 * EACH) + " of B's " + EACH + "), unavailable after " + unavailableSeconds + " s");
        }
    }
}
