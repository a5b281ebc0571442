package dev.switchboard.cluster;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.testing.Await;
import dev.switchboard.testing.GridNodes;
import dev.switchboard.xmpp.Jid;
import dev.switchboard.xmpp.XmppDirectory;
import dev.switchboard.xmpp.XmppDirectory.Claim;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The XMPP directory on a real two-member grid in this JVM: of an account's first resources
 * claimed at the same moment on both nodes exactly one finds none elsewhere (the one roster push),
 * and the word that an account came online reaches the other node only.
 */
class GridXmppDirectoryTest {

    private static ExecutorService pool;
    private static ScheduledExecutorService timers;
    private static Grid gridA;
    private static Grid gridB;
    private static GridXmppDirectory a;
    private static GridXmppDirectory b;
    private static final List<Jid> ONLINE_ON_A = new CopyOnWriteArrayList<>();
    private static final List<Jid> ONLINE_ON_B = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startTwoMembers() throws Exception {
        pool = Executors.newFixedThreadPool(4);
        timers = Executors.newSingleThreadScheduledExecutor();
        int portA = GridNodes.freePort();
        int portB = GridNodes.freePort();
        String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
        String name = "grid-xmpp-directory-test-" + ProcessHandle.current().pid();
        CompletableFuture<Grid> startA = CompletableFuture.supplyAsync(() -> Grid.embedded(config(name, portA, members)));
        CompletableFuture<Grid> startB = CompletableFuture.supplyAsync(() -> Grid.embedded(config(name, portB, members)));
        gridA = startA.get();
        gridB = startB.get();
        Await.until("both members in one grid", Duration.ofSeconds(60), () -> gridA.members() == 2 && gridB.members() == 2);
        a = new GridXmppDirectory(gridA, pool, timers);
        b = new GridXmppDirectory(gridB, pool, timers);
        a.listen((jid, stanza) -> { }, jid -> { }, ONLINE_ON_A::add);
        b.listen((jid, stanza) -> { }, jid -> { }, ONLINE_ON_B::add);
    }

    private static SwitchboardConfig config(String name, int port, String members) {
        return SwitchboardConfig.of(Map.of("cluster", "on", "cluster.name", name, "cluster.port", Integer.toString(port),
                "cluster.members", members, "host", "127.0.0.1"));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable each : new AutoCloseable[] {a, b, gridA, gridB}) {
            try {
                if (each != null) {
                    each.close();
                }
            } catch (Exception ignored) {
                // the rest still stops
            }
        }
        pool.shutdownNow();
        timers.shutdownNow();
    }

    private static Jid account(String local) {
        return new Jid(local, "localhost", null);
    }

    @Test
    void ofFirstResourcesClaimedAtOnceOnBothNodesExactlyOneFindsNoneElsewhere() throws Exception {
        ExecutorService claimers = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 40; round++) {
                Jid bare = account("race" + round);
                CyclicBarrier together = new CyclicBarrier(2);
                CompletableFuture<Claim> onA = CompletableFuture.supplyAsync(() -> claimAt(together, a, bare.withResource("a")), claimers);
                CompletableFuture<Claim> onB = CompletableFuture.supplyAsync(() -> claimAt(together, b, bare.withResource("b")), claimers);
                List<Claim> claims = List.of(onA.get(30, TimeUnit.SECONDS), onB.get(30, TimeUnit.SECONDS));
                assertEquals(1, claims.stream().filter(c -> c == Claim.NONE_ELSEWHERE).count(), "round " + round + ": " + claims);
                assertEquals(1, claims.stream().filter(c -> c == Claim.ALSO_ELSEWHERE).count(), "round " + round + ": " + claims);
                a.release(bare.withResource("a"));
                b.release(bare.withResource("b"));
            }
        } finally {
            claimers.shutdownNow();
        }
    }

    private static Claim claimAt(CyclicBarrier together, XmppDirectory directory, Jid full) {
        try {
            together.await(30, TimeUnit.SECONDS);
            return directory.claim(full);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aTakenFullJidIsTakenAndAReleasedAccountIsAloneAgain() {
        Jid desk = account("dana").withResource("desk");
        assertEquals(Claim.NONE_ELSEWHERE, a.claim(desk));
        assertEquals(Claim.TAKEN, b.claim(desk));
        assertEquals(Claim.NONE_ELSEWHERE, a.claim(account("dana").withResource("phone")), "its own node's resources are not elsewhere");
        assertEquals(Claim.ALSO_ELSEWHERE, b.claim(account("dana").withResource("tablet")));
        a.release(desk);
        a.release(account("dana").withResource("phone"));
        b.release(account("dana").withResource("tablet"));
        assertEquals(Claim.NONE_ELSEWHERE, b.claim(desk));
        b.release(desk);
    }

    @Test
    void anAccountThatCameOnlineIsToldToTheOtherNodeOnly() {
        a.cameOnline(account("erin"));
        Await.until("B told erin came online", Duration.ofSeconds(10), () -> ONLINE_ON_B.contains(account("erin")));
        b.cameOnline(account("finn"));
        Await.until("A told finn came online", Duration.ofSeconds(10), () -> ONLINE_ON_A.contains(account("finn")));
        // a node's own word, had it been sent to itself, would have been there by now (best effort)
        assertEquals(List.of(account("finn")), ONLINE_ON_A);
        assertEquals(List.of(account("erin")), ONLINE_ON_B);
    }
}
