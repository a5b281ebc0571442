package dev.switchboard.chat;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A member that stops reading is closed with 1013 and never holds up the others. */
class ChatSlowConsumerTest {

    @Test
    void memberThatStopsReadingIsClosedWith1013WhileOthersGetEverything() throws Exception {
        try (RunningServer server = RunningServer.start(Map.of("send-queue-bytes", "1MiB",
                "rate.messages-per-second", "100000", "rate.burst", "100000", "chat.max-text", "4000"))) {
            RawWebSocket stalled = RawWebSocket.connect("127.0.0.1", server.port(), "/chat/slow");
            stalled.sendFrame(RawWebSocket.TEXT, true,
                    "{\"type\":\"join\",\"nick\":\"stalled\"}".getBytes(StandardCharsets.UTF_8));
            // from here on the stalled member reads nothing
            try (WsClient sender = WsClient.connect(server.ws("chat/slow"));
                 WsClient reader = WsClient.connect(server.ws("chat/slow"))) {
                sender.sendText("{\"type\":\"join\",\"nick\":\"sender\"}");
                reader.sendText("{\"type\":\"join\",\"nick\":\"reader\"}");
                String text = "x".repeat(4000);
                int sent = 0;
                long slowClosesBefore = 0;
                while (server.metric("switchboard_slow_consumer_closes_total{endpoint=\"chat\"}") == slowClosesBefore
                        && sent < 20_000) {
                    for (int i = 0; i < 100; i++) {
                        sender.sendText("{\"type\":\"message\",\"text\":\"" + text + "\"}");
                        sent++;
                    }
                }
                assertEquals(1, server.metric("switchboard_slow_consumer_closes_total{endpoint=\"chat\"}"),
                        "the stalled member was cut off after " + sent + " messages");
                int received = 0;
                int total = sent;
                while (received < total) {
                    String message = reader.nextText();
                    if (message.contains("\"type\":\"message\"")) {
                        received++;
                    }
                }
                assertEquals(total, received, "the reading member got every message");
                Await.until("the stalled member's 1013 close to be counted", () ->
                        server.metricNow("switchboard_closes_total{code=\"1013\",endpoint=\"chat\"}") == 1);
                assertTrue(server.server().application().chatRooms().room("slow").members().stream()
                        .noneMatch(m -> m.nick().equals("stalled")), "and it left the room");
            } finally {
                stalled.close();
            }
        }
    }
}
