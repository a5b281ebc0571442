package dev.switchboard.images;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.TestImages;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Image drop's recovery ({@code ?since=EPOCH:OFFSET}), over real connections. */
class ImageRecoveryTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("images.history", "3"));
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

    /** Posts an image and waits for its ack (history pairs of the room may come first). */
    private static long post(WsClient sender, byte[] image) throws InterruptedException {
        sender.sendBinary(image);
        while (true) {
            WsClient.Message message = sender.next();
            if (message.isText() && json(message.text()).getString("type").equals("ack")) {
                return 0;
            }
        }
    }

    @Test
    void aMemberBackWithSinceGetsExactlyTheImagesItMissedThenLiveOnes() throws Exception {
        String room = room("resume");
        try (WsClient sender = WsClient.connect(server.ws("images/" + room))) {
            JsonObject first = json(sender.nextText());
            String epoch = first.getString("epoch");
            assertEquals(0, first.getInt("offset"));
            assertFalse(first.containsKey("recovered"));
            long seen;
            try (WsClient member = WsClient.connect(server.ws("images/" + room))) {
                member.nextText(); // welcome
                post(sender, TestImages.png(1, 1));
                JsonObject description = json(member.nextText());
                assertEquals(1, description.getInt("offset"));
                member.next();
                seen = description.getInt("offset");
            } // dropped
            post(sender, TestImages.png(2, 1));
            post(sender, TestImages.png(3, 1));
            try (WsClient back = WsClient.connect(server.ws("images/" + room + "?since=" + epoch + ":" + seen))) {
                JsonObject welcome = json(back.nextText());
                assertTrue(welcome.getBoolean("recovered"));
                assertEquals(2, welcome.getInt("history"), "only what it missed");
                assertEquals(3, welcome.getInt("offset"));
                for (int i = 2; i <= 3; i++) {
                    assertEquals(i, json(back.nextText()).getInt("offset"));
                    assertArrayEquals(TestImages.png(i, 1), back.next().binary());
                }
                post(sender, TestImages.png(4, 1));
                assertEquals(4, json(back.nextText()).getInt("offset"), "then live, no gap, no duplicate");
                assertArrayEquals(TestImages.png(4, 1), back.next().binary());
            }
        }
    }

    @Test
    void whenTheRoomNoLongerHoldsThemTheWelcomeSaysSoAndTheUsualHistoryFollows() throws Exception {
        String room = room("lost");
        try (WsClient sender = WsClient.connect(server.ws("images/" + room))) {
            String epoch = json(sender.nextText()).getString("epoch");
            for (int i = 1; i <= 5; i++) {
                post(sender, TestImages.png(i, 1)); // images.history is 3: 1 and 2 are gone
            }
            double before = server.metric("switchboard_recoveries_total{endpoint=\"images\",outcome=\"failed\"}");
            for (String since : new String[] {epoch + ":1", "other:4", "nonsense"}) {
                try (WsClient back = WsClient.connect(server.ws("images/" + room + "?since=" + since))) {
                    JsonObject welcome = json(back.nextText());
                    assertFalse(welcome.getBoolean("recovered"), since);
                    assertEquals(3, welcome.getInt("history"), "the usual last images.history");
                    assertEquals(3, json(back.nextText()).getInt("offset"));
                }
            }
            Await.until("the failures to be counted", () -> server.metricNow(
                    "switchboard_recoveries_total{endpoint=\"images\",outcome=\"failed\"}") == before + 3);
        }
    }
}
