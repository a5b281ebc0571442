package dev.switchboard.security;

import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** STOMP CONNECT counts as a login: failures are throttled like every other way in (ERROR, close 1008). */
class StompLoginThrottleTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("security", "on", "security.max-failed-logins", "3",
                "security.users", "frank:{noop}pw:user"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String connect(String user, String passcode) throws Exception {
        try (WsClient ws = WsClient.connect(server.ws("stomp"))) {
            ws.sendText("CONNECT\naccept-version:1.2\nhost:x\nlogin:" + user + "\npasscode:" + passcode + "\n\n\0");
            String frame = ws.nextText();
            if (frame.startsWith("ERROR")) {
                assertEquals(1008, ws.awaitClose().code(), frame);
            }
            return frame;
        }
    }

    @Test
    void repeatedWrongPasscodesThrottleTheUserWithAnErrorAnd1008() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertTrue(connect("frank", "wrong").contains("login failed"));
        }
        String refused = connect("frank", "pw");
        assertTrue(refused.startsWith("ERROR") && refused.contains("too many failed logins"), refused);
    }
}
