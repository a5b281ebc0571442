package dev.switchboard.cluster;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.console.ConsoleHub;
import dev.switchboard.testing.Await;
import dev.switchboard.testing.GridNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console's target directory on a real two-member grid in this JVM. */
class GridConsoleTargetsTest {

    private static ExecutorService pool;
    private static ScheduledExecutorService timersA;
    /** B's renewals: blocked by a test to pause B without it leaving the grid. */
    private static ScheduledExecutorService timersB;
    private static Grid gridA;
    private static Grid gridB;
    private static GridConsoleTargets a;
    private static GridConsoleTargets b;
    private static final ConcurrentLinkedQueue<String> lapsed = new ConcurrentLinkedQueue<>();
    private static final ConcurrentLinkedQueue<String> restored = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void startTwoMembers() throws Exception {
        pool = Executors.newFixedThreadPool(2);
        timersA = Executors.newSingleThreadScheduledExecutor();
        timersB = Executors.newSingleThreadScheduledExecutor();
        int portA = GridNodes.freePort();
        int portB = GridNodes.freePort();
        String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
        String name = "grid-console-test-" + ProcessHandle.current().pid();
        CompletableFuture<Grid> startA = CompletableFuture.supplyAsync(() -> Grid.embedded(config(name, portA, members)));
        CompletableFuture<Grid> startB = CompletableFuture.supplyAsync(() -> Grid.embedded(config(name, portB, members)));
        gridA = startA.get();
        gridB = startB.get();
        Await.until("both members in one grid", Duration.ofSeconds(60), () -> gridA.members() == 2 && gridB.members() == 2);
        a = new GridConsoleTargets(gridA, pool, timersA);
        b = new GridConsoleTargets(gridB, pool, timersB);
        for (GridConsoleTargets each : List.of(a, b)) {
            each.onLapse(lapsed::add, restored::add);
        }
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
        timersA.shutdownNow();
        timersB.shutdownNow();
    }


    private static List<String> ids(GridConsoleTargets directory) {
        return directory.list().stream().map(ConsoleHub.TargetInfo::id).toList();
    }

    @Test
    void oneListInAttachOrderAndAnIdUniqueInTheCluster() {
        assertTrue(a.add(new ConsoleHub.TargetInfo("u-first", "tab \"one\"\n", "Firefox/150", 1_000)));
        assertTrue(b.add(new ConsoleHub.TargetInfo("u-second", "two", "Chromium/156", 2_000)));
        assertFalse(b.add(new ConsoleHub.TargetInfo("u-first", "impostor", "", 3_000)), "the id is A's");
        for (GridConsoleTargets directory : List.of(a, b)) {
            List<ConsoleHub.TargetInfo> listed = directory.list().stream().filter(t -> t.id().startsWith("u-")).toList();
            assertEquals(List.of(new ConsoleHub.TargetInfo("u-first", "tab \"one\"\n", "Firefox/150", 1_000),
                    new ConsoleHub.TargetInfo("u-second", "two", "Chromium/156", 2_000)), listed);
        }
        b.remove("u-first"); // not B's: nothing happens
        assertTrue(ids(b).contains("u-first"));
        a.remove("u-first");
        b.remove("u-second");
        assertFalse(ids(a).contains("u-first") || ids(a).contains("u-second"));
        assertTrue(lapsed.stream().noneMatch(id -> id.startsWith("u-")), "a removal is not a lapse");
    }

    @Test
    void aPausedNodesTargetLapsesAfterItsLeaseAndIsListedAgainWhenItComesBack() throws Exception {
        assertTrue(b.add(new ConsoleHub.TargetInfo("p-paused", "on a paused node", "", 5_000)));
        CountDownLatch resume = new CountDownLatch(1);
        timersB.execute(() -> {
            try {
                resume.await(); // B renews nothing meanwhile, and stays in the grid
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long paused = System.nanoTime();
        try {
            Await.until("the lease lapses", Duration.ofSeconds(40), () -> lapsed.contains("p-paused"));
            long seconds = Duration.ofNanos(System.nanoTime() - paused).toSeconds();
            assertTrue(seconds >= GridLeases.LEASE.toSeconds() - 5, "lapsed after " + seconds + " s");
            assertFalse(ids(a).contains("p-paused"));
        } finally {
            resume.countDown();
        }
        Await.until("listed again", Duration.ofSeconds(20), () -> restored.contains("p-paused"));
        assertTrue(ids(a).contains("p-paused"));
        b.remove("p-paused");
        assertFalse(ids(a).contains("p-paused"));
    }
}
