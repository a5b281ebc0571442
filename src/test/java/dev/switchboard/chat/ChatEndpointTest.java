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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rule of the contract's {@code chat/{room}} section, over real connections. */
class ChatEndpointTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("chat.history", "3", "chat.max-text", "100",
                "rate.messages-per-second", "50", "rate.burst", "60"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    /** A connected chat client. */
    private static final class Chatter implements AutoCloseable {
        final WsClient ws;

        Chatter(String room) {
            ws = WsClient.connect(server.ws("chat/" + room));
        }

        Chatter send(String json) {
            ws.sendText(json);
            return this;
        }

        JsonObject next() throws InterruptedException {
            return json(ws.nextText());
        }

        /** The next message of a type, skipping others (presence updates, say). */
        JsonObject next(String type) throws InterruptedException {
            while (true) {
                JsonObject message = next();
                if (message.getString("type").equals(type)) {
                    return message;
                }
            }
        }

        JsonObject join(String nick) throws InterruptedException {
            send("{\"type\":\"join\",\"nick\":\"" + nick + "\"}");
            return next("welcome");
        }

        @Override
        public void close() {
            ws.close();
        }
    }

    private static String uniqueRoom(String base) {
        return base + "-" + System.nanoTime();
    }

    @Test
    void joinMustComeFirst() throws Exception {
        try (Chatter c = new Chatter(uniqueRoom("first"))) {
            JsonObject error = c.send("{\"type\":\"message\",\"text\":\"hi\"}").next();
            assertEquals("error", error.getString("type"));
            assertEquals("not-joined", error.getString("code"));
            assertFalse(error.getString("detail").isEmpty());
            assertEquals("welcome", c.join("alice").getString("type"), "the connection stayed open");
        }
    }

    @Test
    void welcomeHasNickRoomMembersAndHistory() throws Exception {
        String room = uniqueRoom("welcome");
        try (Chatter alice = new Chatter(room); Chatter bob = new Chatter(room)) {
            alice.send("{\"type\":\"join\",\"nick\":\"alice\",\"presence\":\"away\",\"status\":\"lunch\"}").next("welcome");
            alice.send("{\"type\":\"message\",\"text\":\"before bob\"}").next("message");
            JsonObject welcome = bob.join("bob");
            assertEquals("bob", welcome.getString("nick"));
            assertEquals(room, welcome.getString("room"));
            assertEquals(List.of("alice", "bob"), welcome.getJsonArray("members").stream()
                    .map(m -> m.asJsonObject().getString("nick")).toList());
            assertEquals("away", welcome.getJsonArray("members").getJsonObject(0).getString("presence"));
            assertEquals("lunch", welcome.getJsonArray("members").getJsonObject(0).getString("status"));
            assertEquals("before bob", welcome.getJsonArray("history").getJsonObject(0).getString("text"));
        }
    }

    @Test
    void messageReachesEveryMemberIncludingTheSenderWithOneId() throws Exception {
        String room = uniqueRoom("message");
        try (Chatter alice = new Chatter(room); Chatter bob = new Chatter(room)) {
            alice.join("alice");
            bob.join("bob");
            long before = System.currentTimeMillis();
            alice.send("{\"type\":\"message\",\"text\":\"<img src=x onerror=alert(1)>\"}");
            JsonObject atAlice = alice.next("message");
            JsonObject atBob = bob.next("message");
            assertEquals(atAlice, atBob);
            assertEquals("alice", atBob.getString("from"));
            assertEquals(room, atBob.getString("room"));
            assertEquals("<img src=x onerror=alert(1)>", atBob.getString("text"), "delivered verbatim");
            assertTrue(atBob.getJsonNumber("ts").longValue() >= before);
        }
    }

    @Test
    void historyHoldsTheLastNRoomMessagesOldestFirst() throws Exception {
        String room = uniqueRoom("history");
        try (Chatter alice = new Chatter(room)) {
            alice.join("alice");
            for (int i = 1; i <= 5; i++) {
                alice.send("{\"type\":\"message\",\"text\":\"m" + i + "\"}").next("message");
            }
            alice.send("{\"type\":\"private\",\"to\":\"alice\",\"text\":\"note to self\"}").next("private");
            try (Chatter late = new Chatter(room)) {
                List<String> history = late.join("late").getJsonArray("history").stream()
                        .map(m -> m.asJsonObject().getString("text")).toList();
                assertEquals(List.of("m3", "m4", "m5"), history);
            }
        }
    }

    @Test
    void privateMessageGoesToTheAddresseeAndTheSenderOnly() throws Exception {
        String room = uniqueRoom("private");
        try (Chatter alice = new Chatter(room); Chatter bob = new Chatter(room); Chatter carol = new Chatter(room)) {
            alice.join("alice");
            bob.join("bob");
            carol.join("carol");
            alice.send("{\"type\":\"private\",\"to\":\"bob\",\"text\":\"psst\"}");
            JsonObject atBob = bob.next("private");
            assertEquals(atBob, alice.next("private"));
            assertEquals("alice", atBob.getString("from"));
            assertEquals("bob", atBob.getString("to"));
            assertEquals("psst", atBob.getString("text"));
            // carol gets nothing private: her next message is the ping answer
            assertEquals("pong", carol.send("{\"type\":\"ping\",\"id\":\"c\"}").next("pong").getString("type"));
            // …and nothing but presence came before it
        }
    }

    @Test
    void privateMessageToAnUnknownNickIsNoSuchMember() throws Exception {
        try (Chatter alice = new Chatter(uniqueRoom("nosuch"))) {
            alice.join("alice");
            JsonObject error = alice.send("{\"type\":\"private\",\"to\":\"zed\",\"text\":\"hi\"}").next("error");
            assertEquals("no-such-member", error.getString("code"));
        }
    }

    @Test
    void takenNickIsRefusedAndTheConnectionStaysOpen() throws Exception {
        String room = uniqueRoom("nick");
        try (Chatter alice = new Chatter(room); Chatter impostor = new Chatter(room)) {
            alice.join("alice");
            JsonObject error = impostor.send("{\"type\":\"join\",\"nick\":\"ALICE\"}").next();
            assertEquals("nick-taken", error.getString("code"));
            assertEquals("welcome", impostor.join("alice2").getString("type"));
        }
    }

    @Test
    void presenceIsAnnouncedOnJoinChangeAndLeave() throws Exception {
        String room = uniqueRoom("presence");
        try (Chatter alice = new Chatter(room)) {
            alice.join("alice");
            try (Chatter bob = new Chatter(room)) {
                bob.send("{\"type\":\"join\",\"nick\":\"bob\",\"status\":\"hello\"}").next("welcome");
                JsonObject joined = alice.next("presence");
                assertEquals("bob", joined.getString("nick"));
                assertEquals("available", joined.getString("presence"));
                assertEquals("hello", joined.getString("status"));

                bob.send("{\"type\":\"presence\",\"presence\":\"dnd\",\"status\":\"focus\"}");
                JsonObject changed = alice.next("presence");
                assertEquals("dnd", changed.getString("presence"));
                assertEquals("focus", changed.getString("status"));
                assertEquals(changed, bob.next("presence"), "the member sees its own change confirmed");

                bob.ws.closeNormally();
                JsonObject left = alice.next("presence");
                assertEquals("bob", left.getString("nick"));
                assertEquals("unavailable", left.getString("presence"));
            }
        }
    }

    @Test
    void droppedConnectionIsAnnouncedUnavailable() throws Exception {
        String room = uniqueRoom("drop");
        try (Chatter alice = new Chatter(room)) {
            alice.join("alice");
            Chatter bob = new Chatter(room);
            bob.join("bob");
            alice.next("presence");
            bob.ws.close(); // abort: no close frame, the TCP connection just goes
            JsonObject left = alice.next("presence");
            assertEquals("bob", left.getString("nick"));
            assertEquals("unavailable", left.getString("presence"));
        }
    }

    @Test
    void typingIsRelayedToOthersOnly() throws Exception {
        String room = uniqueRoom("typing");
        try (Chatter alice = new Chatter(room); Chatter bob = new Chatter(room)) {
            alice.join("alice");
            bob.join("bob");
            alice.send("{\"type\":\"typing\"}");
            assertEquals("alice", bob.next("typing").getString("nick"));
            // alice's next message is her pong, not her own typing hint
            JsonObject next = alice.send("{\"type\":\"ping\",\"id\":1}").next();
            while (next.getString("type").equals("presence")) {
                next = alice.next();
            }
            assertEquals("pong", next.getString("type"));
        }
    }

    @Test
    void pingIsAnsweredWithItsId() throws Exception {
        try (Chatter c = new Chatter(uniqueRoom("ping"))) {
            assertEquals(json("{\"type\":\"pong\",\"id\":\"x\"}"), c.send("{\"type\":\"ping\",\"id\":\"x\"}").next());
        }
    }

    @Test
    void eachKindOfBadRequestIsAnsweredAndTheConnectionStaysOpen() throws Exception {
        try (Chatter c = new Chatter(uniqueRoom("bad"))) {
            for (String bad : List.of("not json", "[1,2]", "{\"no\":\"type\"}", "{\"type\":\"shout\"}",
                    "{\"type\":\"join\"}", "{\"type\":\"join\",\"nick\":5}", "{\"type\":\"join\",\"nick\":\"a\",\"presence\":\"sleepy\"}")) {
                JsonObject error = c.send(bad).next();
                assertEquals("error", error.getString("type"), bad);
                assertEquals("bad-request", error.getString("code"), bad);
            }
            c.ws.sendBinary(new byte[] {1, 2, 3});
            assertEquals("bad-request", c.next().getString("code"));
            assertEquals("welcome", c.join("survivor").getString("type"));
        }
    }

    @Test
    void overlongTextAndStatusAreTooLong() throws Exception {
        try (Chatter c = new Chatter(uniqueRoom("long"))) {
            assertEquals("too-long", c.send("{\"type\":\"join\",\"nick\":\"a\",\"status\":\"" + "s".repeat(141) + "\"}").next().getString("code"));
            c.join("a");
            assertEquals("too-long", c.send("{\"type\":\"message\",\"text\":\"" + "x".repeat(101) + "\"}").next().getString("code"));
            assertEquals("x".repeat(100), c.send("{\"type\":\"message\",\"text\":\"" + "x".repeat(100) + "\"}").next("message").getString("text"));
        }
    }

    @Test
    void badRoomNameIsClosedWith1008() throws Exception {
        for (String room : List.of("has%20space", "x".repeat(65), "caf%C3%A9", "a%2Fb", "%3Cscript%3E")) {
            try (WsClient c = WsClient.connect(server.ws("chat/" + room))) {
                WsClient.Close close = c.awaitClose();
                assertEquals(1008, close.code(), room);
                assertEquals("bad room name", close.reason());
            }
        }
    }

    @Test
    void floodIsRateLimitedThenClosedWith1008() throws Exception {
        double limitedBefore = server.metric("switchboard_errors_total{code=\"rate-limited\",endpoint=\"chat\"}");
        double closesBefore = server.metric("switchboard_closes_total{code=\"1008\",endpoint=\"chat\"}");
        try (Chatter c = new Chatter(uniqueRoom("flood"))) {
            c.join("flooder");
            List<String> codes = new ArrayList<>();
            try {
                for (int i = 0; i < 400 && !c.ws.isClosed(); i++) {
                    c.ws.sendText("{\"type\":\"typing\"}");
                }
            } catch (RuntimeException closedUnderUs) {
                // the server hung up mid-flood: that is the point
            }
            // the server's side of the story: it closed this connection with 1008
            Await.until("the 1008 close", () ->
                    server.metricNow("switchboard_closes_total{code=\"1008\",endpoint=\"chat\"}") == closesBefore + 1);
            c.ws.awaitClose();
            for (WsClient.Message message : c.ws.drain()) {
                JsonObject object = json(message.text());
                if (object.getString("type").equals("error")) {
                    codes.add(object.getString("code"));
                }
            }
            assertTrue(codes.isEmpty() || codes.contains("rate-limited"), codes.toString());
        }
        assertTrue(server.metric("switchboard_errors_total{code=\"rate-limited\",endpoint=\"chat\"}") > limitedBefore,
                "the rejected messages were answered rate-limited before the close");
    }

    @Test
    void metricsShowMembersPerRoomAndErrorsByCode() throws Exception {
        String room = uniqueRoom("metrics");
        try (Chatter alice = new Chatter(room); Chatter bob = new Chatter(room)) {
            alice.join("alice");
            bob.join("bob");
            alice.send("{\"type\":\"private\",\"to\":\"nobody\",\"text\":\"x\"}").next("error");
            assertEquals(2, server.metric("switchboard_chat_room_members{room=\"" + room + "\"}"));
            assertTrue(server.metric("switchboard_errors_total{code=\"no-such-member\",endpoint=\"chat\"}") >= 1);
            assertTrue(server.metric("switchboard_requests_total{endpoint=\"chat\",type=\"join\"}") >= 2);
            assertTrue(server.metric("switchboard_requests_total{endpoint=\"chat\",type=\"private\"}") >= 1);
            bob.ws.closeNormally();
            Await.until("bob's leave to show", () ->
                    server.metricNow("switchboard_chat_room_members{room=\"" + room + "\"}") == 1);
        }
        Await.until("the empty room to go", () -> server.server().application().chatRooms().room(room) == null);
        assertFalse(server.get("metrics").body().contains("room=\"" + room + "\""), "its series went with it");
    }
}
