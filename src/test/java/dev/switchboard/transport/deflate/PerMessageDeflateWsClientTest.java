package dev.switchboard.transport.deflate;

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
 * permessage-deflate with a client someone else wrote: Node's ws package (its perMessageDeflate,
 * pinned in src/test/node/package-lock.json), against a real standalone server. The scenarios are
 * in src/test/node/deflate.test.js; this runs them and fails if any does.
 */
class PerMessageDeflateWsClientTest {

    private static final Path NODE_TESTS = Path.of("src", "test", "node");

    @Test
    void wsClientScenariosPass() throws Exception {
        assertTrue(Files.isDirectory(NODE_TESTS.resolve("node_modules").resolve("ws")),
                "run 'npm ci' in src/test/node first (scripts/test.sh does)");
        try (RunningServer server = RunningServer.start()) {
            ProcessBuilder node = new ProcessBuilder(List.of("node", "--test", "--test-reporter=spec", "deflate.test.js"))
                    .directory(NODE_TESTS.toFile()).redirectErrorStream(true);
            node.environment().put("SWITCHBOARD_WS_BASE", server.ws("").toString());
            Process process = node.start();
            try {
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(process.waitFor(180, TimeUnit.SECONDS), "the node tests finish");
                System.out.println(output);
                assertEquals(0, process.exitValue(), "every ws scenario passes:\n" + output);
                assertTrue(output.contains("fail 0") && !output.contains("pass 0"), output);
                assertTrue(server.metricNow("switchboard_compression_refused_total") >= 1, "the bomb was counted");
            } finally {
                process.destroyForcibly();
            }
        }
    }
}
