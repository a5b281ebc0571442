package dev.switchboard.cluster;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.GridNodes;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * STOMP across two nodes of one grid, driven by @stomp/stompjs (pinned in
 * src/test/node/package-lock.json) under Node: the scenarios are in
 * src/test/node/stomp-cluster.test.js, given node A's and node B's URLs; this runs them and fails
 * if any does.
 */
class ClusterStompJsTest {

    private static final Path NODE_TESTS = Path.of("src", "test", "node");

    private static RunningServer a;
    private static RunningServer b;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        int gridA = GridNodes.freePort();
        int gridB = GridNodes.freePort();
        String members = "127.0.0.1:" + gridA + ",127.0.0.1:" + gridB;
        String name = "cluster-stompjs-" + ProcessHandle.current().pid();
        CompletableFuture<RunningServer> startA = CompletableFuture.supplyAsync(() -> node(name, gridA, members));
        CompletableFuture<RunningServer> startB = CompletableFuture.supplyAsync(() -> node(name, gridB, members));
        try {
            a = startA.get();
        } finally {
            b = startB.get();
        }
        Await.until("both nodes in one grid", Duration.ofSeconds(60),
                () -> GridNodes.members(a.http("health")) == 2 && GridNodes.members(b.http("health")) == 2);
    }

    private static RunningServer node(String name, int gridPort, String members) {
        return RunningServer.start(Map.of("cluster", "on", "cluster.name", name,
                "cluster.port", Integer.toString(gridPort), "cluster.members", members));
    }

    @AfterAll
    static void stop() {
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
    void stompJsScenariosAcrossTwoNodesPass() throws Exception {
        assertTrue(Files.isDirectory(NODE_TESTS.resolve("node_modules").resolve("@stomp")),
                "run 'npm ci' in src/test/node first (scripts/test.sh does)");
        ProcessBuilder node = new ProcessBuilder(List.of("node", "--test", "--test-reporter=spec", "--test-timeout=60000", "stomp-cluster.test.js"))
                .directory(NODE_TESTS.toFile()).redirectErrorStream(true);
        node.environment().put("SWITCHBOARD_STOMP_URL", a.ws("stomp").toString());
        node.environment().put("SWITCHBOARD_STOMP_URL_B", b.ws("stomp").toString());
        Process process = node.start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(180, TimeUnit.SECONDS), "the node tests finish");
            System.out.println(output);
            assertEquals(0, process.exitValue(), "every @stomp/stompjs cluster scenario passes:\n" + output);
            assertTrue(output.contains("fail 0") && !output.contains("pass 0"), output);
        } finally {
            process.destroyForcibly();
        }
    }
}
