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
        long starting = System.nanoTime();
        CompletableFuture<ServerProcess> startA = CompletableFuture.supplyAsync(() -> ChatNodes.node(name, "127.0.0.1", portA, members, List.of()));
        CompletableFuture<ServerProcess> startB = CompletableFuture.supplyAsync(() -> ChatNodes.node(name, "127.0.0.1", portB, members, List.of()));
        try {
            a = startA.get();
        } finally {
            b = startB.get();
        }
        Await.until("both nodes in one grid", Duration.ofSeconds(60), () -> ChatNodes.members(a) == 2 && ChatNodes.members(b) == 2);
        System.out.println("ClusterKillDuringFanOutTest: nodes up and in one grid after " + Duration.ofNanos(System.nanoTime() - starting).toMillis() + " ms");
    }

    @AfterAll
    static void stop() throws Exception {
        ChatNodes.stop(a, b);
    }

    /** Takes carol's messages and unavailable notices until {@code done}. */
    private static void collect(ChatNodes.Joined carol, List<JsonObject> messages, Set<String> unavailable,
                                java.util.function.BooleanSupplier done) throws InterruptedException {
        while (!done.getAsBoolean()) {
            JsonObject next = ChatNodes.json(carol.client().next(Duration.ofSeconds(30)).text());
            if (next.getString("type").equals("message")) {
                messages.add(next);
            } else if (next.getString("type").equals("presence") && next.getString("presence").equals("unavailable")) {
                unavailable.add(next.getString("nick"));
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
            List<JsonObject> atCarol = new ArrayList<>();
            Set<String> unavailable = new HashSet<>();
            for (int i = 0; i < EACH; i++) {
                alice.say("a" + i);
                if (i == EACH / 3) {
                    String mid = "a" + (EACH / 4);
                    collect(carol, atCarol, unavailable, () -> atCarol.stream().anyMatch(m -> m.getString("text").equals(mid)));
                }
            }
            fromB.join();
            long killed = System.nanoTime();
            b.kill();
            for (int i = 0; i < EACH; i++) {
                alice.say("after" + i);
            }
            // carol's whole stream: messages up to "after<last>", and bob's and dave's unavailable
            String last = "after" + (EACH - 1);
            collect(carol, atCarol, unavailable, () -> unavailable.size() == 2);
            long unavailableSeconds = Duration.ofNanos(System.nanoTime() - killed).toSeconds();
            collect(carol, atCarol, unavailable, () -> atCarol.stream().anyMatch(m -> m.getString("text").equals(last)));
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
