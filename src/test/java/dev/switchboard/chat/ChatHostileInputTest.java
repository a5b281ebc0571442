package dev.switchboard.chat;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What an attack run did to chat and the console, sent again over real connections: each input
 * gets its defined answer and leaves the room (or the console) working for everyone else.
 */
class ChatHostileInputTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("rate.messages-per-second", "1000", "rate.burst", "1000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static JsonObject next(WsClient client, String type) throws InterruptedException {
        while (true) {
            JsonObject message = json(client.nextText());
            if (message.getString("type").equals(type)) {
                return message;
            }
        }
    }

    private static String room(String base) {
        return base + "-" + System.nanoTime();
    }

    private static JsonObject join(WsClient client, String nickJson) throws InterruptedException {
        client.sendText("{\"type\":\"join\",\"nick\":" + nickJson + "}");
        JsonObject reply = json(client.nextText());
        while (reply.getString("type").equals("presence")) {
            reply = json(client.nextText());
        }
        return reply;
    }

    @Test
    void aJoinWithALoneSurrogateIsRefusedAndTheRoomStaysJoinable() throws Exception {
        String room = room("surrogate-join");
        try (WsClient evil = WsClient.connect(server.ws("chat/" + room));
             WsClient alice = WsClient.connect(server.ws("chat/" + room))) {
            JsonObject refusal = join(evil, "\"x\\ud800\"");
            assertEquals("error", refusal.getString("type"));
            assertEquals("bad-request", refusal.getString("code"));
            assertEquals("welcome", join(alice, "\"alice\"").getString("type"));
            assertEquals(1, server.server().application().chatRooms().room(room).size(), "only alice is a member");
            // the refused client may still join properly
            assertEquals("welcome", join(evil, "\"x\"").getString("type"));
        }
        Await.until("the room empties when its members leave: no ghost members",
                () -> server.server().application().chatRooms().room(room) == null);
    }

    @Test
    void loneSurrogatesAnywhereInAMessageAreBadRequests() throws Exception {
        String room = room("surrogate-text");
        try (WsClient alice = WsClient.connect(server.ws("chat/" + room));
             WsClient bob = WsClient.connect(server.ws("chat/" + room))) {
            join(alice, "\"alice\"");
            join(bob, "\"bob\"");
            for (String bad : new String[] {
                    "{\"type\":\"message\",\"text\":\"\\ud800\"}",
                    "{\"type\":\"message\",\"text\":\"ok \\udc00 low\"}",
                    "{\"type\":\"presence\",\"presence\":\"away\",\"status\":\"\\udbff\"}",
                    "{\"type\":\"private\",\"to\":\"bob\",\"text\":\"\\ud800x\"}",
                    "{\"type\":\"ping\",\"id\":[\"\\ud800\"]}",
                    "{\"type\":\"message\",\"text\":\"hi\",\"\\ud800\":1}"}) {
                alice.sendText(bad);
                JsonObject refusal = next(alice, "error");
                assertEquals("bad-request", refusal.getString("code"), bad);
            }
            alice.sendText("{\"type\":\"message\",\"text\":\"still here \\ud83d\\ude00\"}");
            assertEquals("still here \uD83D\uDE00", next(bob, "message").getString("text"), "a real pair is fine");
        }
    }

    @Test
    void lookalikeNicksAreTheSameNick() throws Exception {
        String room = room("lookalike");
        try (WsClient admin = WsClient.connect(server.ws("chat/" + room))) {
            assertEquals("welcome", join(admin, "\"ADMIN\"").getString("type"));
            String[] lookalikes = {"\"\u0430dmin\"", "\"admin\"", "\"\uff21\uff24\uff2d\uff29\uff2e\""};
            for (String nick : lookalikes) {
                try (WsClient impostor = WsClient.connect(server.ws("chat/" + room))) {
                    JsonObject reply = join(impostor, nick);
                    assertEquals("nick-taken", reply.getString("code"), nick);
                }
            }
        }
    }

    @Test
    void invisibleAndBidiControlCharactersInNicksAreBadRequests() throws Exception {
        String room = room("invisible");
        String[] nicks = {"\"admin\\u200b\"", "\"\\u202eadmin\"", "\"adm\\u00adin\"", "\"\\ufeffwatcher\"",
                "\"a\\u2066b\"", "\" admin\""};
        for (String nick : nicks) {
            try (WsClient client = WsClient.connect(server.ws("chat/" + room))) {
                JsonObject reply = join(client, nick);
                assertEquals("bad-request", reply.getString("code"), nick);
            }
        }
    }

    @Test
    void fullWidthNickIsShownInItsNormalForm() throws Exception {
        try (WsClient client = WsClient.connect(server.ws("chat/" + room("nfkc")))) {
            assertEquals("Bob", join(client, "\"\uff22\uff4f\uff42\"").getString("nick"));
        }
    }

    @Test
    void aConsoleTargetWithALoneSurrogateLabelIsRefusedAndOperatorsStillSeeTheOthers() throws Exception {
        try (WsClient operator = WsClient.connect(server.ws("console"));
             WsClient evil = WsClient.connect(server.ws("console"));
             WsClient good = WsClient.connect(server.ws("console"))) {
            operator.sendText("{\"type\":\"attach\",\"role\":\"operator\"}");
            next(operator, "attached");
            evil.sendText("{\"type\":\"attach\",\"role\":\"target\",\"label\":\"evil\\ud800\"}");
            assertEquals("bad-request", next(evil, "error").getString("code"));
            good.sendText("{\"type\":\"attach\",\"role\":\"target\",\"label\":\"good\"}");
            String id = next(good, "attached").getString("id");
            JsonObject targets;
            do {
                targets = next(operator, "targets");
            } while (targets.getJsonArray("targets").isEmpty());
            assertEquals(id, targets.getJsonArray("targets").getJsonObject(0).getString("id"));
            evil.sendText("{\"type\":\"result\",\"id\":\"1\",\"value\":\"\\udfff\"}");
            assertEquals("bad-request", next(evil, "error").getString("code"));
        }
    }

    @Test
    void aConsoleTargetCannotFloodOperatorsWithAHugeLabel() throws Exception {
        try (WsClient evil = WsClient.connect(server.ws("console"))) {
            evil.sendText("{\"type\":\"attach\",\"role\":\"target\",\"label\":\"" + "x".repeat(100_000) + "\"}");
            assertEquals("bad-request", next(evil, "error").getString("code"));
            evil.sendText("{\"type\":\"attach\",\"role\":\"target\",\"label\":\"" + "x".repeat(100) + "\"}");
            next(evil, "attached");
        }
    }
}
