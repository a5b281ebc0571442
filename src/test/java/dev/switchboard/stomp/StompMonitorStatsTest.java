package dev.switchboard.stomp;

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
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the monitor page reads (stomp-stats): queues, topics, durable subscriptions and the store, end to end. */
class StompMonitorStatsTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("rate.messages-per-second", "10000", "rate.burst", "10000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonObject stats() {
        try {
            return Json.createReader(new StringReader(server.get("stomp-stats").body())).readObject();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonObject entry(String destination) {
        for (JsonValue value : stats().getJsonArray("destinations")) {
            if (value.asJsonObject().getString("destination").equals(destination)) {
                return value.asJsonObject();
            }
        }
        return null;
    }

    private static WsClient connect(String clientId) throws InterruptedException {
        WsClient ws = WsClient.connect(server.ws("stomp"));
        ws.sendText("CONNECT\naccept-version:1.2\nhost:x\n" + (clientId == null ? "" : "client-id:" + clientId + "\n")
                + "\n\0");
        assertTrue(ws.nextText().startsWith("CONNECTED"));
        return ws;
    }

    private static void awaitReceipt(WsClient ws, String id) throws InterruptedException {
        while (true) {
            String frame = ws.nextText();
            if (frame.startsWith("RECEIPT") && frame.contains("receipt-id:" + id + "\n")) {
                return;
            }
        }
    }

    @Test
    void aQueueShowsItsPersistentUnackedAndRedeliveredCounts() throws Exception {
        try (WsClient sender = connect(null); WsClient reader = connect(null)) {
            for (int i = 0; i < 3; i++) {
                sender.sendText("SEND\ndestination:/queue/monitored\npersistent:true\nreceipt:s" + i + "\n\nm" + i + "\0");
                awaitReceipt(sender, "s" + i);
            }
            sender.sendText("SEND\ndestination:/queue/monitored\nreceipt:plain\n\nin memory\0");
            awaitReceipt(sender, "plain");
            JsonObject queue = entry("/queue/monitored");
            assertEquals(4, queue.getInt("depth"));
            assertEquals(3, queue.getInt("persistent"));
            assertEquals(0, queue.getInt("unacked"));
            reader.sendText("SUBSCRIBE\nid:q\ndestination:/queue/monitored\nack:client-individual\nprefetch-count:2\n"
                    + "receipt:sub\n\n\0");
            Await.until("two delivered, unacknowledged", () -> entry("/queue/monitored").getInt("unacked") == 2);
            assertEquals(2, entry("/queue/monitored").getInt("depth"), "prefetch-count 2: the rest wait");
            assertEquals(1, entry("/queue/monitored").getInt("subscribers"));
        } // the reader leaves: its two come back
        Await.until("two redelivered", () -> entry("/queue/monitored").getInt("redelivered") == 2);
        assertEquals(3, entry("/queue/monitored").getInt("persistent"));
        assertTrue(stats().getJsonObject("totals").getInt("persistentMessages") >= 3, "the totals count them");
        JsonObject store = stats().getJsonObject("store");
        assertEquals("UP", store.getString("state"));
        assertEquals("always", store.getString("sync"));
    }

    @Test
    void aTopicKeepsItsCountersAfterItsLastSubscriberLeaves() throws Exception {
        try (WsClient reader = connect(null); WsClient sender = connect(null)) {
            reader.sendText("SUBSCRIBE\nid:t\ndestination:/topic/counted\nreceipt:sub\n\n\0");
            awaitReceipt(reader, "sub");
            for (int i = 0; i < 5; i++) {
                sender.sendText("SEND\ndestination:/topic/counted\n\nx\0");
            }
            sender.sendText("SEND\ndestination:/topic/counted\nreceipt:sent\n\nlast\0");
            awaitReceipt(sender, "sent");
            Await.until("six out", () -> entry("/topic/counted").getInt("messagesOut") == 6);
        }
        Await.until("the subscriber gone", () -> entry("/topic/counted").getInt("subscribers") == 0);
        JsonObject topic = entry("/topic/counted");
        assertEquals(6, topic.getInt("messagesIn"), "counts do not reset when the last subscriber leaves");
        assertEquals(6, topic.getInt("messagesOut"));
    }

    @Test
    void aDurableSubscriptionIsListedActiveThenAwayWithItsBacklog() throws Exception {
        try (WsClient sender = connect(null)) {
            try (WsClient durable = connect("monitor-app")) {
                durable.sendText("SUBSCRIBE\nid:d\ndestination:/topic/audited\ndurable-subscription-name:audit\n"
                        + "selector:kind = 'audit'\nreceipt:sub\n\n\0");
                awaitReceipt(durable, "sub");
                JsonObject listed = stats().getJsonArray("durableSubscriptions").getJsonObject(0);
                assertEquals("monitor-app", listed.getString("clientId"));
                assertEquals("audit", listed.getString("name"));
                assertEquals("/topic/audited", listed.getString("topic"));
                assertEquals("kind = 'audit'", listed.getString("selector"));
                assertTrue(listed.getBoolean("active"));
            }
            Await.until("away", () -> !stats().getJsonArray("durableSubscriptions").getJsonObject(0).getBoolean("active"));
            for (int i = 0; i < 4; i++) {
                sender.sendText("SEND\ndestination:/topic/audited\nkind:audit\npersistent:true\nreceipt:a" + i + "\n\nx\0");
                awaitReceipt(sender, "a" + i);
            }
            sender.sendText("SEND\ndestination:/topic/audited\nkind:other\nreceipt:o\n\nnot for it\0");
            awaitReceipt(sender, "o");
        }
        JsonObject away = stats().getJsonArray("durableSubscriptions").getJsonObject(0);
        assertFalse(away.getBoolean("active"));
        assertEquals(4, away.getInt("backlog"), "its selector chose what is kept");
        assertEquals(4, away.getInt("persistent"));
        assertEquals(1, entry("/topic/audited").getInt("durable"));
        assertTrue(stats().getJsonObject("totals").getInt("durableSubscriptions") >= 1);
    }
}
