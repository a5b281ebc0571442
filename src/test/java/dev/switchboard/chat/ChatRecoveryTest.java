package dev.switchboard.chat;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract's chat recovery rules ({@code offset}, {@code epoch}, {@code since}, {@code recovered}), over real connections. */
class ChatRecoveryTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("chat.history", "3", "chat.recovery-messages", "100000",
                "recovery.channel-bytes", "64MiB",
                // the talker below sends as fast as it can: neither the rate limit nor the slow-consumer
                // close (a JDK client reading one message at a time on a busy machine) is what this tests
                "rate.messages-per-second", "1000000", "rate.burst", "1000000", "send-queue-bytes", "512MiB"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static String room(String base) {
        return base + "-" + System.nanoTime();
    }

    /** A chat client that keeps what it was told: the epoch of its welcome and the last offset seen. */
    private static final class Member implements AutoCloseable {
        final WsClient ws;
        String epoch;
        long offset;

        Member(String room) {
            this(server, room);
        }

        Member(RunningServer on, String room) {
            ws = WsClient.connect(on.ws("chat/" + room));
        }

        JsonObject next(String type) throws InterruptedException {
            while (true) {
                JsonObject message = json(ws.nextText());
                if (message.getString("type").equals("message")) {
                    offset = message.getJsonNumber("offset").longValue();
                }
                if (message.getString("type").equals(type)) {
                    return message;
                }
            }
        }

        JsonObject join(String nick, String since) throws InterruptedException {
            ws.sendText("{\"type\":\"join\",\"nick\":\"" + nick + "\"" + (since == null ? "" : ",\"since\":" + since) + "}");
            JsonObject welcome = next("welcome");
            epoch = welcome.getString("epoch");
            offset = welcome.getJsonNumber("offset").longValue();
            return welcome;
        }

        JsonObject join(String nick) throws InterruptedException {
            return join(nick, null);
        }

        String since() {
            return "{\"epoch\":\"" + epoch + "\",\"offset\":" + offset + "}";
        }

        JsonObject say(String text) throws InterruptedException {
            ws.sendText("{\"type\":\"message\",\"text\":\"" + text + "\"}");
            return next("message");
        }

        @Override
        public void close() {
            ws.close(); // an abort: the connection drops, as a network would drop it
        }
    }

    private static List<String> texts(JsonObject welcome) {
        return welcome.getJsonArray("history").stream().map(v -> v.asJsonObject().getString("text")).toList();
    }

    private static List<Long> offsets(JsonObject welcome) {
        return welcome.getJsonArray("history").stream().map(v -> v.asJsonObject().getJsonNumber("offset").longValue()).toList();
    }

    @Test
    void messagesCarryTheRoomsOffsetAndTheWelcomeItsEpochAndLatestOffset() throws Exception {
        String room = room("numbered");
        try (Member alice = new Member(room); Member bob = new Member(room)) {
            JsonObject first = alice.join("alice");
            assertEquals(0, first.getInt("offset"), "a new room has said nothing yet");
            assertFalse(first.getString("epoch").isEmpty());
            assertFalse(first.containsKey("recovered"), "only a join with since asks");
            assertEquals(1, alice.say("one").getInt("offset"));
            assertEquals(2, alice.say("two").getInt("offset"));
            JsonObject welcome = bob.join("bob");
            assertEquals(first.getString("epoch"), welcome.getString("epoch"));
            assertEquals(2, welcome.getInt("offset"));
            assertEquals(List.of(1L, 2L), offsets(welcome));
        }
    }

    @Test
    void aReconnectWithSinceGetsExactlyTheMissedMessagesThenLiveOnes() throws Exception {
        String room = room("missed");
        try (Member alice = new Member(room)) {
            alice.join("alice");
            alice.say("before");
            Member bob = new Member(room);
            bob.join("bob");
            String since = bob.since();
            bob.close();
            Await.until("bob to have left", () -> server.server().application().chatRooms().room(room).size() == 1);
            List<String> said = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                said.add("while away " + i);
                alice.say("while away " + i);
            }
            try (Member back = new Member(room)) {
                JsonObject welcome = back.join("bob", since);
                assertTrue(welcome.getBoolean("recovered"));
                assertEquals(said, texts(welcome), "every missed message, oldest first, more than chat.history");
                alice.say("live");
                JsonObject live = back.next("message");
                assertEquals("live", live.getString("text"));
                assertEquals(offsets(welcome).get(4) + 1, live.getJsonNumber("offset").longValue(), "no gap, no duplicate");
            }
        }
    }

    @Test
    void messagesPublishedWhileRecoveringArriveOnceAndInOrder() throws Exception {
        String room = room("busy");
        try (Member talker = new Member(room); Member watcher = new Member(room)) {
            talker.join("talker");
            watcher.join("watcher");
            AtomicBoolean talking = new AtomicBoolean(true);
            Thread chatter = new Thread(() -> {
                for (int i = 0; talking.get() && i < 2_000_000; i++) { // until the test is done (bounded all the same)
                    talker.ws.sendText("{\"type\":\"message\",\"text\":\"during " + i + "\"}");
                }
            });
            chatter.start();
            int recovered = 0;
            try {
                for (int round = 0; round < 5; round++) {
                    watcher.next("message");
                    long since = watcher.offset; // a moment ago; the talker goes on meanwhile
                    try (Member back = new Member(room)) {
                        JsonObject welcome = back.join("back" + round,
                                "{\"epoch\":\"" + watcher.epoch + "\",\"offset\":" + since + "}");
                        if (!welcome.getBoolean("recovered")) {
                            continue; // the talker outran chat.recovery-messages
                        }
                        recovered++;
                        long expected = since + 1;
                        for (long offset : offsets(welcome)) {
                            assertEquals(expected++, offset, "history is exactly what came after since");
                        }
                        for (int live = 0; live < 20; live++) {
                            JsonObject message = back.next("message");
                            assertEquals(expected++, message.getJsonNumber("offset").longValue(),
                                    "live follows history with no gap and no duplicate");
                        }
                    }
                }
            } finally {
                talking.set(false);
                chatter.join();
            }
            assertTrue(recovered >= 1, "at least one reconnect recovered while messages kept coming");
        }
    }

    @Test
    void whenTheLogNoLongerHoldsWhatWasMissedTheWelcomeSaysSoAndGivesTheUsualHistory() throws Exception {
        String room = room("gone");
        try (RunningServer small = RunningServer.start(Map.of("chat.history", "3", "chat.recovery-messages", "20",
                "rate.messages-per-second", "5000", "rate.burst", "10000"));
             Member alice = new Member(small, room)) {
            JsonObject first = alice.join("alice");
            for (int i = 1; i <= 25; i++) {
                alice.say("m" + i); // chat.recovery-messages is 20: m1..m5 are gone
            }
            double failedBefore = small.metric("switchboard_recoveries_total{endpoint=\"chat\",outcome=\"failed\"}");
            try (Member late = new Member(small, room)) {
                JsonObject welcome = late.join("late", "{\"epoch\":\"" + first.getString("epoch") + "\",\"offset\":2}");
                assertFalse(welcome.getBoolean("recovered"));
                assertEquals(List.of("m23", "m24", "m25"), texts(welcome), "the usual last chat.history");
            }
            try (Member other = new Member(small, room)) {
                JsonObject welcome = other.join("other", "{\"epoch\":\"not-this-one\",\"offset\":24}");
                assertFalse(welcome.getBoolean("recovered"), "another epoch: the log it knew is lost");
            }
            Await.until("the failures to be counted", () -> small.metricNow(
                    "switchboard_recoveries_total{endpoint=\"chat\",outcome=\"failed\"}") == failedBefore + 2);
            try (Member fine = new Member(small, room)) {
                JsonObject welcome = fine.join("fine", "{\"epoch\":\"" + first.getString("epoch") + "\",\"offset\":25}");
                assertTrue(welcome.getBoolean("recovered"));
                assertEquals(List.of(), texts(welcome), "nothing missed, nothing sent");
            }
        }
    }

    @Test
    void aLoneMemberWhoDropsAndComesBackStillRecovers() throws Exception {
        String room = room("alone");
        Member alice = new Member(room);
        alice.join("alice");
        alice.say("only me");
        String since = alice.since();
        alice.close();
        Await.until("the room to empty", () -> server.server().application().chatRooms().room(room) == null);
        try (Member back = new Member(room)) {
            JsonObject welcome = back.join("alice", since);
            assertTrue(welcome.getBoolean("recovered"), "the room's log outlives its last member by recovery.ttl");
            assertEquals(List.of(), texts(welcome));
            assertEquals(1, welcome.getInt("offset"));
        }
    }

    @Test
    void privateMessagesAreNotRecoveredAndPresenceIsCurrent() throws Exception {
        String room = room("private");
        try (Member alice = new Member(room); Member carol = new Member(room)) {
            alice.join("alice");
            Member bob = new Member(room);
            bob.join("bob");
            String since = bob.since();
            bob.close();
            Await.until("bob to have left", () -> server.server().application().chatRooms().room(room).size() == 1);
            carol.join("carol");
            alice.ws.sendText("{\"type\":\"presence\",\"presence\":\"away\",\"status\":\"lunch\"}");
            alice.next("presence");
            alice.say("public");
            try (Member back = new Member(room)) {
                JsonObject welcome = back.join("bob", since);
                assertTrue(welcome.getBoolean("recovered"));
                assertEquals(List.of("public"), texts(welcome));
                JsonObject aliceNow = welcome.getJsonArray("members").stream().map(JsonValue::asJsonObject)
                        .filter(m -> m.getString("nick").equals("alice")).findFirst().orElseThrow();
                assertEquals("away", aliceNow.getString("presence"));
                assertEquals(3, welcome.getJsonArray("members").size());
            }
        }
    }

    @Test
    void aSinceThatIsNotAnEpochAndAnOffsetIsABadRequest() throws Exception {
        try (Member m = new Member(room("bad"))) {
            m.ws.sendText("{\"type\":\"join\",\"nick\":\"m\",\"since\":\"yesterday\"}");
            JsonObject error = m.next("error");
            assertEquals("bad-request", error.getString("code"));
            assertEquals("welcome", m.join("m").getString("type"), "the connection stayed open");
        }
    }
}
