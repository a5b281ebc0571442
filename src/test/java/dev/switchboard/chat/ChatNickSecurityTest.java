package dev.switchboard.chat;

import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With security on a chat nick is the user's name: nobody joins as someone else (operators may). */
class ChatNickSecurityTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("security", "on",
                "security.users", "bob:{noop}pw:user,olga:{noop}op:operator|user"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Map<String, String> as(String user, String password) {
        return Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static JsonObject join(WsClient client, String nick) throws InterruptedException {
        client.sendText("{\"type\":\"join\",\"nick\":\"" + nick + "\"}");
        while (true) {
            JsonObject message = json(client.nextText());
            if (!message.getString("type").equals("presence")) {
                return message;
            }
        }
    }

    @Test
    void aUserMayJoinOnlyUnderTheirOwnNameAndStaysConnectedAfterARefusal() throws Exception {
        String room = "nicks-" + System.nanoTime();
        try (WsClient bob = WsClient.connect(server.ws("chat/" + room), as("bob", "pw"))) {
            for (String other : new String[] {"ops", "Bob", "olga"}) {
                JsonObject refused = join(bob, other);
                assertEquals("error", refused.getString("type"), other);
                assertEquals("forbidden", refused.getString("code"), other);
                assertTrue(refused.getString("detail").contains("bob"), refused.getString("detail"));
            }
            JsonObject welcome = join(bob, "bob");
            assertEquals("welcome", welcome.getString("type"));
            assertEquals("bob", welcome.getString("nick"));
            assertEquals(1, welcome.getJsonArray("members").size(), "the refused joins left nobody behind");
        }
    }

    @Test
    void anOperatorMayUseAnyNick() throws Exception {
        String room = "nicks-" + System.nanoTime();
        try (WsClient olga = WsClient.connect(server.ws("chat/" + room), as("olga", "op"))) {
            JsonObject welcome = join(olga, "ops");
            assertEquals("welcome", welcome.getString("type"));
            assertEquals("ops", welcome.getString("nick"));
        }
    }
}
