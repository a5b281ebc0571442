package dev.switchboard.stomp;

import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What issue 15 found when the broker was tried against its contract (item 5), over real connections. */
class StompContractFixesTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("security", "on", "security.users", "alice:{noop}pw:user",
                "stomp.max-frame-bytes", "4KiB"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static WsClient alice() {
        String basic = Base64.getEncoder().encodeToString("alice:pw".getBytes(StandardCharsets.UTF_8));
        return WsClient.connect(server.ws("stomp"), Map.of("Authorization", "Basic " + basic));
    }

    private static String exchange(WsClient client, String frames) throws InterruptedException {
        client.sendText(frames.replace("^@", "\0"));
        return client.nextText();
    }

    @Test
    void anErrorForAFrameThatAskedForAReceiptNamesIt() throws Exception {
        for (String refused : List.of("FLY\nreceipt:r-1\n\n^@", "SEND\nreceipt:r-1\ndestination:/topic/a\nno colon\n\n^@",
                "SEND\nreceipt:r-1\ndestination:/topic/a\ncontent-length:x\n\n^@",
                "SEND\nreceipt:r-1\ndestination:/topic/a\ncontent-length:99999\n\n^@",
                "SEND\nreceipt:r-1\ndestination:/nowhere\n\nx^@")) {
            try (WsClient client = alice()) {
                assertTrue(exchange(client, "CONNECT\naccept-version:1.2\n\n^@").startsWith("CONNECTED"));
                String error = exchange(client, refused);
                assertTrue(error.startsWith("ERROR\n"), error);
                assertTrue(error.contains("\nreceipt-id:r-1\n"), refused + " → " + error);
                int code = client.awaitClose().code();
                assertTrue(code == 1002 || code == 1009, "closed " + code);
            }
        }
    }

    @Test
    void aWrongPasscodeIsRefusedEvenWhenTheHandshakeAuthenticatedThatUser() throws Exception {
        try (WsClient client = alice()) {
            String error = exchange(client, "CONNECT\naccept-version:1.2\nlogin:alice\npasscode:wrong\n\n^@");
            assertTrue(error.startsWith("ERROR\n") && error.contains("login failed"), error);
            assertEquals(1008, client.awaitClose().code());
        }
    }

    @Test
    void eachSessionHasItsOwnId() throws Exception {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            try (WsClient client = alice()) {
                String connected = exchange(client, "CONNECT\naccept-version:1.2\n\n^@");
                String id = connected.lines().filter(l -> l.startsWith("session:")).findFirst().orElseThrow();
                assertTrue(id.length() > "session:".length() + 8, "not a short hash: " + id);
                ids.add(id);
            }
        }
        assertEquals(20, ids.size());
    }
}
