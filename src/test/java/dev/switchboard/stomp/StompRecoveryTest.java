package dev.switchboard.stomp;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recovery on topics ({@code x-epoch}, {@code x-offset}, {@code x-since}, {@code x-recovered}), over real connections. */
class StompRecoveryTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("stomp.topic-history", "5", "rate.messages-per-second", "10000",
                "rate.burst", "10000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A received frame: command, headers (first of each), body. */
    record Frame(String command, Map<String, String> headers, String body) {
        static Frame parse(String wire) {
            int end = wire.indexOf("\n\n");
            String[] lines = wire.substring(0, end).split("\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.putIfAbsent(lines[i].substring(0, colon), lines[i].substring(colon + 1));
            }
            String body = wire.substring(end + 2);
            return new Frame(lines[0], headers, body.endsWith("\0") ? body.substring(0, body.length() - 1) : body);
        }

        long offset() {
            return Long.parseLong(headers.get("x-offset"));
        }
    }

    private static final class Client implements AutoCloseable {
        final WsClient ws;

        Client() throws InterruptedException {
            this(server);
        }

        Client(RunningServer on) throws InterruptedException {
            ws = WsClient.connect(on.ws("stomp"));
            ws.sendText("CONNECT\naccept-version:1.2\nhost:x\n\n\0");
            assertEquals("CONNECTED", next().command());
        }

        Client send(String frame) {
            ws.sendText(frame + "\0");
            return this;
        }

        Frame next() throws InterruptedException {
            String text = ws.nextText();
            while (text.equals("\n")) {
                text = ws.nextText(); // a heart-beat
            }
            return Frame.parse(text);
        }

        void publish(String topic, String body) {
            send("SEND\ndestination:" + topic + "\n\n" + body);
        }

        @Override
        public void close() {
            ws.close();
        }
    }

    private static String topic(String base) {
        return "/topic/" + base + "-" + System.nanoTime();
    }

    private static List<String> bodies(Client client, int count) throws InterruptedException {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Frame message = client.next();
            assertEquals("MESSAGE", message.command());
            bodies.add(message.body());
        }
        return bodies;
    }

    @Test
    void topicMessagesCarryTheTopicsEpochAndOffsetWhateverTheSenderSaid() throws Exception {
        String topic = topic("numbered");
        try (Client sub = new Client(); Client pub = new Client()) {
            sub.send("SUBSCRIBE\nid:s\ndestination:" + topic + "\nreceipt:r\n\n");
            assertEquals("RECEIPT", sub.next().command());
            pub.send("SEND\ndestination:" + topic + "\nx-offset:999\nx-epoch:forged\n\none");
            pub.publish(topic, "two");
            Frame first = sub.next();
            Frame second = sub.next();
            assertEquals(1, first.offset());
            assertEquals(2, second.offset());
            assertNotNull(first.headers().get("x-epoch"));
            assertTrue(!first.headers().get("x-epoch").equals("forged"), "the broker's numbers, never the sender's");
            assertEquals(first.headers().get("x-epoch"), second.headers().get("x-epoch"));
        }
    }

    @Test
    void aSubscribeWithSinceGetsTheMissedMessagesAfterItsReceiptThenLiveOnes() throws Exception {
        String topic = topic("resume");
        String epoch;
        long last;
        try (Client pub = new Client()) {
            try (Client sub = new Client()) {
                sub.send("SUBSCRIBE\nid:s\ndestination:" + topic + "\nreceipt:r\n\n");
                sub.next();
                pub.publish(topic, "a");
                Frame seen = sub.next();
                epoch = seen.headers().get("x-epoch");
                last = seen.offset();
            } // dropped
            Await.until("the subscriber to be gone", () -> server.server().application().stompBroker().stats().stream()
                    .noneMatch(d -> d.destination().equals(topic) && d.subscribers() > 0));
            pub.publish(topic, "b");
            pub.publish(topic, "c");
            double before = server.metric("switchboard_recoveries_total{endpoint=\"stomp\",outcome=\"recovered\"}");
            try (Client back = new Client()) {
                back.send("SUBSCRIBE\nid:s\ndestination:" + topic + "\nx-since:" + epoch + ":" + last + "\nreceipt:r2\n\n");
                Frame receipt = back.next();
                assertEquals("RECEIPT", receipt.command());
                assertEquals("r2", receipt.headers().get("receipt-id"));
                assertEquals("true", receipt.headers().get("x-recovered"));
                assertEquals(List.of("b", "c"), bodies(back, 2), "exactly the missed ones, in order");
                pub.publish(topic, "d");
                Frame live = back.next();
                assertEquals("d", live.body());
                assertEquals(4, live.offset(), "no gap, no duplicate");
            }
            Await.until("the recovery to be counted", () -> server.metricNow(
                    "switchboard_recoveries_total{endpoint=\"stomp\",outcome=\"recovered\"}") == before + 1);
        }
    }

    @Test
    void whenTheTopicNoLongerHoldsWhatWasMissedTheReceiptSaysFalseAndOnlyLiveFollows() throws Exception {
        String topic = topic("lost");
        try (Client pub = new Client(); Client keeper = new Client()) {
            keeper.send("SUBSCRIBE\nid:k\ndestination:" + topic + "\nreceipt:r\n\n");
            Frame receipt = keeper.next();
            for (int i = 1; i <= 8; i++) {
                pub.publish(topic, "m" + i); // stomp.topic-history is 5: m1..m3 are gone
            }
            List<Frame> seen = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                seen.add(keeper.next());
            }
            String epoch = seen.get(0).headers().get("x-epoch");
            try (Client late = new Client()) {
                late.send("SUBSCRIBE\nid:s\ndestination:" + topic + "\nx-since:" + epoch + ":1\nreceipt:r\n\n");
                assertEquals("false", late.next().headers().get("x-recovered"));
                late.send("SUBSCRIBE\nid:t\ndestination:" + topic + "\nx-since:another-epoch:7\nreceipt:r\n\n");
                assertEquals("false", late.next().headers().get("x-recovered"), "another epoch: that log is lost");
                late.send("SUBSCRIBE\nid:u\ndestination:" + topic + "\nx-since:" + epoch + ":6\nreceipt:r\n\n");
                assertEquals("true", late.next().headers().get("x-recovered"));
                assertEquals(List.of("m7", "m8"), bodies(late, 2));
                pub.publish(topic, "live");
                // three subscriptions now, each gets the live one (and nothing more)
                List<String> live = bodies(late, 3);
                assertEquals(List.of("live", "live", "live"), live);
            }
            assertTrue(receipt.command().equals("RECEIPT"));
        }
    }

    @Test
    void messagesPublishedWhileResubscribingArriveOnceAndInOrder() throws Exception {
        String topic = topic("busy");
        int recovered = 0;
        try (RunningServer roomy = RunningServer.start(Map.of("stomp.topic-history", "100000",
                "recovery.channel-bytes", "256MiB", "rate.messages-per-second", "1000000", "rate.burst", "1000000"));
             Client pub = new Client(roomy); Client watcher = new Client(roomy)) {
            watcher.send("SUBSCRIBE\nid:w\ndestination:" + topic + "\nreceipt:r\n\n");
            watcher.next();
            java.util.concurrent.atomic.AtomicBoolean publishing = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread publisher = new Thread(() -> {
                for (int i = 0; publishing.get() && i < 2_000_000; i++) { // until the test is done (bounded all the same)
                    pub.publish(topic, "n" + i);
                }
            });
            publisher.start();
            try {
                for (int round = 0; round < 3; round++) {
                    Frame seen = watcher.next();
                    String since = seen.headers().get("x-epoch") + ":" + seen.offset();
                    try (Client back = new Client(roomy)) {
                        back.send("SUBSCRIBE\nid:s\ndestination:" + topic + "\nx-since:" + since + "\nreceipt:r\n\n");
                        Frame receipt = back.next();
                        assertEquals("RECEIPT", receipt.command());
                        if (!"true".equals(receipt.headers().get("x-recovered"))) {
                            continue; // the publisher outran stomp.topic-history
                        }
                        recovered++;
                        long expected = seen.offset() + 1;
                        for (int i = 0; i < 50; i++) {
                            assertEquals(expected++, back.next().offset(), "recovered, then live: no gap, no duplicate");
                        }
                    }
                }
            } finally {
                publishing.set(false);
                publisher.join();
            }
        }
        assertTrue(recovered >= 1, "at least one resubscribe recovered while messages kept coming");
    }

    @Test
    void aSinceThatDoesNotParseOrNamesAQueueIsAnError() throws Exception {
        for (String subscribe : List.of("SUBSCRIBE\nid:s\ndestination:/topic/x\nx-since:nonsense\n\n",
                "SUBSCRIBE\nid:s\ndestination:/topic/x\nx-since:e:-1\n\n",
                "SUBSCRIBE\nid:s\ndestination:/queue/x\nx-since:e:1\n\n")) {
            try (Client client = new Client()) {
                client.send(subscribe);
                Frame error = client.next();
                assertEquals("ERROR", error.command(), subscribe);
                assertTrue(error.headers().get("message").contains("x-since"), error.headers().toString());
                assertEquals(1002, client.ws.awaitClose().code());
            }
        }
    }
}
