package dev.switchboard.xmpp;

import dev.switchboard.security.UserStore;
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
 * The XMPP endpoint driven by two XMPP clients someone else wrote, @xmpp/client (xmpp.js) and
 * Strophe.js (pinned in src/test/node/package-lock.json), under Node, with JSON chat members in the
 * same rooms. The scenarios are in src/test/node/xmpp.test.js (security off) and
 * xmpp-secure.test.js (security on: SCRAM, PLAIN, the nick rule).
 */
class XmppJsAndStropheTest {

    private static final Path NODE_TESTS = Path.of("src", "test", "node");

    @Test
    void scenariosWithSecurityOffPass() throws Exception {
        try (RunningServer server = RunningServer.start(Map.of())) {
            runNode("xmpp.test.js", Map.of("SWITCHBOARD_XMPP_URL", server.ws("xmpp").toString(),
                    "SWITCHBOARD_CHAT_URL", server.ws("chat").toString()));
        }
    }

    @Test
    void scenariosWithSecurityOnPass() throws Exception {
        String alice = UserStore.allMechanisms("alice-pw");
        String bob = UserStore.bcrypt("bob-pw");
        try (RunningServer server = RunningServer.start(Map.of("security", "on",
                "security.users", "alice:" + alice + ":user,bob:" + bob + ":user,olga:{noop}op:operator|user"))) {
            runNode("xmpp-secure.test.js", Map.of("SWITCHBOARD_XMPP_URL", server.ws("xmpp").toString(),
                    "ALICE_PASSWORD", "alice-pw"));
        }
    }

    private static void runNode(String file, Map<String, String> environment) throws Exception {
        assertTrue(Files.isDirectory(NODE_TESTS.resolve("node_modules").resolve("@xmpp")),
                "run 'npm ci' in src/test/node first (scripts/test.sh does)");
        ProcessBuilder node = new ProcessBuilder(List.of("node", "--test", "--test-reporter=spec", file))
                .directory(NODE_TESTS.toFile()).redirectErrorStream(true);
        node.environment().putAll(environment);
        Process process = node.start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(180, TimeUnit.SECONDS), "the node tests finish");
            System.out.println(output);
            assertEquals(0, process.exitValue(), "every scenario of " + file + " passes:\n" + output);
            assertTrue(output.contains("fail 0") && !output.contains("pass 0"), output);
        } finally {
            process.destroyForcibly();
        }
    }
}
