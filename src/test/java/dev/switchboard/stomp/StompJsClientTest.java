package dev.switchboard.stomp;

import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The STOMP endpoint driven by a STOMP client someone else wrote: @stomp/stompjs (pinned in
 * src/test/node/package-lock.json) under Node, against a real standalone server. The scenarios
 * are in src/test/node/stomp.test.js; this runs them and fails if any does.
 */
class StompJsClientTest {

    private static final Path NODE_TESTS = Path.of("src", "test", "node");

    @Test
    void stompJsScenariosPass() throws Exception {
        assertTrue(Files.isDirectory(NODE_TESTS.resolve("node_modules").resolve("@stomp")),
                "run 'npm ci' in src/test/node first (scripts/test.sh does)");
        try (RunningServer server = RunningServer.start(Map.of("stomp.heartbeat", "100,100"))) {
            ProcessBuilder node = new ProcessBuilder(List.of("node", "--test", "--test-reporter=spec", "stomp.test.js"))
                    .directory(NODE_TESTS.toFile()).redirectErrorStream(true);
            node.environment().put("SWITCHBOARD_STOMP_URL", server.ws("stomp").toString());
            Process process = node.start();
            try {
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(process.waitFor(180, TimeUnit.SECONDS), "the node tests finish");
                System.out.println(output);
                assertEquals(0, process.exitValue(), "every @stomp/stompjs scenario passes:\n" + output);
                assertTrue(output.contains("fail 0") && !output.contains("pass 0"), output);
            } finally {
                process.destroyForcibly();
            }
        }
    }
}
