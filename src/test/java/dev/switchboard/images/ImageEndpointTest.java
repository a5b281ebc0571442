package dev.switchboard.images;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.ProcessResources;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.TestImages;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rule of the contract's {@code images/{room}} section, over real connections. */
class ImageEndpointTest {

    private static final int MAX = 256 * 1024;
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("images.max-bytes", String.valueOf(MAX), "images.history", "3",
                "images.history-bytes", "4MiB"));
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

    private static WsClient enter(String room, int expectedHistory) throws InterruptedException {
        WsClient client = WsClient.connect(server.ws("images/" + room));
        JsonObject welcome = json(client.nextText());
        assertEquals("welcome", welcome.getString("type"));
        assertEquals(room, welcome.getString("room"));
        assertEquals(expectedHistory, welcome.getInt("history"));
        assertEquals(MAX, welcome.getInt("maxBytes"));
        return client;
    }

    @Test
    void eachFormatReachesEveryOtherMemberByteForByteAndTheSenderGetsAnAck() throws Exception {
        String room = room("formats");
        try (WsClient sender = enter(room, 0); WsClient a = enter(room, 0); WsClient b = enter(room, 0)) {
            for (Object[] format : new Object[][] {{TestImages.png(40, 30), "image/png"}, {TestImages.jpeg(40, 30), "image/jpeg"},
                    {TestImages.gif(40, 30), "image/gif"}, {TestImages.WEBP, "image/webp"}}) {
                byte[] image = (byte[]) format[0];
                sender.sendBinary(image);
                JsonObject ack = json(sender.nextText());
                assertEquals("ack", ack.getString("type"));
                assertEquals(format[1], ack.getString("mime"));
                assertEquals(image.length, ack.getInt("bytes"));
                for (WsClient member : List.of(a, b)) {
                    JsonObject description = json(member.nextText());
                    assertEquals("image", description.getString("type"));
                    assertEquals(ack.getString("id"), description.getString("id"));
                    assertEquals("anonymous", description.getString("from"));
                    assertEquals(format[1], description.getString("mime"));
                    assertEquals(image.length, description.getInt("bytes"));
                    assertTrue(description.getJsonNumber("ts").longValue() > 0);
                    WsClient.Message bytes = member.next();
                    assertFalse(bytes.isText(), "the bytes follow as one binary message");
                    assertArrayEquals(image, bytes.binary());
                }
            }
            assertTrue(sender.drain().isEmpty(), "nothing but acks went back to the sender");
        }
    }

    @Test
    void newcomerGetsTheLastImagesOldestFirstBeforeAnythingLive() throws Exception {
        String room = room("history");
        try (WsClient sender = enter(room, 0)) {
            for (int i = 1; i <= 5; i++) {
                sender.sendBinary(TestImages.png(i, 1));
                sender.nextText();
            }
            try (WsClient late = enter(room, 3)) {
                for (int i = 3; i <= 5; i++) {
                    JsonObject description = json(late.nextText());
                    assertEquals("image", description.getString("type"));
                    assertArrayEquals(TestImages.png(i, 1), late.next().binary(), "history image " + i);
                }
                sender.sendBinary(TestImages.png(9, 1));
                json(late.nextText());
                assertArrayEquals(TestImages.png(9, 1), late.next().binary(), "then live");
            }
        }
    }

    @Test
    void nonImageIsRefusedAndTheConnectionStaysOpen() throws Exception {
        String room = room("notimage");
        try (WsClient sender = enter(room, 0); WsClient other = enter(room, 0)) {
            sender.sendBinary("<svg onload=alert(1)/>".getBytes());
            JsonObject error = json(sender.nextText());
            assertEquals("error", error.getString("type"));
            assertEquals("not-an-image", error.getString("code"));
            assertFalse(error.getString("detail").isEmpty());
            sender.sendBinary(Arrays.copyOf(TestImages.png(3, 3), 20)); // truncated header
            assertEquals("not-an-image", json(sender.nextText()).getString("code"));
            sender.sendBinary(TestImages.png(3, 3));
            assertEquals("ack", json(sender.nextText()).getString("type"));
            assertEquals("image", json(other.nextText()).getString("type"), "the other member only ever saw the real image");
        }
    }

    @Test
    void tooLargeImageIsRefusedAndTheConnectionStaysOpen() throws Exception {
        try (WsClient sender = enter(room("large"), 0)) {
            byte[] big = Arrays.copyOf(TestImages.png(10, 10), MAX + 1);
            sender.sendBinary(big);
            JsonObject error = json(sender.nextText());
            assertEquals("too-large", error.getString("code"));
            assertEquals("262,145 bytes; the limit is 262,144 bytes", error.getString("detail"));
            sender.sendBinary(Arrays.copyOf(TestImages.png(10, 10), MAX + MAX / 2));
            assertEquals("384 KiB; the limit is 256 KiB", json(sender.nextText()).getString("detail"),
                    "sizes a person reads, not byte counts");
            sender.sendBinary(Arrays.copyOf(TestImages.png(10, 10), MAX));
            assertEquals("ack", json(sender.nextText()).getString("type"), "exactly the limit is fine");
        }
    }

    @Test
    void messageBeyondTheTransportLimitClosesWith1009() throws Exception {
        double before = server.metric("switchboard_closes_total{code=\"1009\",endpoint=\"images\"}");
        try (WsClient sender = enter(room("huge"), 0)) {
            sender.sendRefused(new byte[MAX + 1024 * 1024 + 1]);
            int code = sender.awaitRefusalCode();
            assertTrue(code == 1009 || code == 1006, "closed with " + code);
        }
        Await.until("the server's 1009 close to be counted",
                () -> server.metricNow("switchboard_closes_total{code=\"1009\",endpoint=\"images\"}") == before + 1);
    }

    @Test
    void textFromClientsIsIgnored() throws Exception {
        String room = room("text");
        try (WsClient sender = enter(room, 0); WsClient other = enter(room, 0)) {
            sender.sendText("{\"type\":\"image\",\"id\":\"forged\"}");
            sender.sendBinary(TestImages.gif(2, 2));
            assertEquals("ack", json(sender.nextText()).getString("type"), "no reply to the text");
            assertEquals("image/gif", json(other.nextText()).getString("mime"), "and nothing forwarded");
        }
    }

    @Test
    void uploadFloodIsRateLimited() throws Exception {
        try (RunningServer limited = RunningServer.start(Map.of("rate.messages-per-second", "5", "rate.burst", "5"));
             WsClient sender = WsClient.connect(limited.ws("images/flood"))) {
            sender.nextText(); // welcome
            byte[] image = TestImages.png(2, 2);
            for (int i = 0; i < 8; i++) {
                sender.sendBinary(image);
            }
            List<String> replies = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                JsonObject reply = json(sender.nextText());
                replies.add(reply.getString("type").equals("ack") ? "ack" : reply.getString("code"));
            }
            assertTrue(replies.contains("rate-limited"), replies.toString());
            assertTrue(replies.contains("ack"), replies.toString());
            assertTrue(limited.metric("switchboard_errors_total{code=\"rate-limited\",endpoint=\"images\"}") >= 1);
        }
    }

    @Test
    void badRoomNameIsClosedWith1008() throws Exception {
        try (WsClient client = WsClient.connect(server.ws("images/no%20spaces"))) {
            assertEquals(1008, client.awaitClose().code());
        }
    }

    @Test
    void thousandUploadsLeaveHistoryAndHeapAtTheirBound() throws Exception {
        long cap = 4L * 1024 * 1024;
        byte[] image = TestImages.noisyPng(100 * 1024);
        assertTrue(image.length > 90 * 1024);
        try (RunningServer fast = RunningServer.start(Map.of("images.history", "3", "images.history-bytes", "4MiB",
                "rate.messages-per-second", "100000", "rate.burst", "100000"))) {
            long heapBefore = ProcessResources.usedHeapAfterGc();
            for (int i = 0; i < 1000; i++) {
                try (WsClient sender = WsClient.connect(fast.ws("images/heap-" + (i % 50)))) {
                    sender.nextText();
                    sender.sendBinary(image);
                    String reply = sender.nextText();
                    while (!reply.contains("\"ack\"")) {
                        sender.next(); // history pairs of the room come first
                        reply = sender.nextText();
                    }
                }
            }
            long held = (long) fast.metricNow("switchboard_images_history_bytes");
            assertTrue(held <= cap, "history holds " + held + " bytes, cap " + cap);
            assertTrue(fast.metricNow("switchboard_images_history_images") <= 3 * 50, "bounded count");
            long growth = ProcessResources.usedHeapAfterGc() - heapBefore;
            assertTrue(growth < 4 * cap, "100 MB uploaded, heap grew by " + growth / 1024 + " KiB");
            Await.until("the metrics to show the bound", () -> fast.metricNow("switchboard_images_history_bytes") <= cap);
        }
    }

}
