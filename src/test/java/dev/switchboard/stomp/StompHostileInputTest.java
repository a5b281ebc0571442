package dev.switchboard.stomp;

import dev.switchboard.connection.Broadcast;
import dev.switchboard.security.UserStore;
import dev.switchboard.testing.Await;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an attack run did to the STOMP broker (issue 13), over real sockets: each hostile client gets
 * its ERROR and the contract's close code, the refusal is counted, and what the broker holds stays
 * within the configured bounds — read from the broker's own byte counters (stomp-stats), never from
 * the heap. Limits are configured small so that each case takes a few frames.
 */
class StompHostileInputTest {

    private static final int QUEUE_DEPTH = 20;
    private static final int QUEUE_BYTES = 64 * 1024;
    private static final int TRANSACTION_BYTES = 32 * 1024;

    /** Small queue, transaction and per-connection bounds; a rate no test reaches. */
    private static RunningServer server;
    /** Few destinations, short-lived transactions, a low rate. */
    private static RunningServer tight;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("stomp.max-frame-bytes", "16KiB", "stomp.queue-depth", "" + QUEUE_DEPTH,
                "stomp.queue-bytes", "64KiB", "stomp.transaction-bytes", "32KiB", "stomp.max-transactions", "4",
                "stomp.max-subscriptions", "10", "rate.messages-per-second", "100000", "rate.burst", "100000"));
        tight = RunningServer.start(Map.of("stomp.max-destinations", "5", "stomp.transaction-ttl", "300ms",
                "rate.messages-per-second", "20", "rate.burst", "20"));
    }

    @AfterAll
    static void stop() {
        server.close();
        tight.close();
    }

    // ---- helpers ----

    private static WsClient connect(RunningServer on, String version) throws InterruptedException {
        WsClient client = WsClient.connect(on.ws("stomp"));
        client.sendText("CONNECT\naccept-version:" + version + "\nhost:x\n\n\0");
        String connected = client.nextText();
        assertTrue(connected.startsWith("CONNECTED"), connected);
        return client;
    }

    /** The next frame that is not a RECEIPT or MESSAGE, counting those skipped into {@code skipped}. */
    private static String nextError(WsClient client, List<String> skipped) throws InterruptedException {
        for (int i = 0; i < 10_000; i++) {
            String frame = client.nextText();
            if (frame.startsWith("ERROR\n")) {
                return frame;
            }
            skipped.add(frame);
        }
        throw new AssertionError("no ERROR");
    }

    private static String nextError(WsClient client) throws InterruptedException {
        return nextError(client, new ArrayList<>());
    }

    private static void awaitReceipt(WsClient client, String id) throws InterruptedException {
        for (int i = 0; i < 10_000; i++) {
            String frame = client.nextText();
            assertFalse(frame.startsWith("ERROR"), frame);
            if (frame.startsWith("RECEIPT\nreceipt-id:" + id + "\n")) {
                return;
            }
        }
        throw new AssertionError("no RECEIPT " + id);
    }

    private static JsonObject stats(RunningServer on, String query) {
        try {
            var response = on.get("stomp-stats" + query);
            assertEquals(200, response.statusCode(), response.body());
            return Json.createReader(new StringReader(response.body())).readObject();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonObject totals(RunningServer on) {
        return stats(on, "").getJsonObject("totals");
    }

    /** The stats entry of one destination, or null. */
    private static JsonObject destination(RunningServer on, String name) {
        return stats(on, "?limit=5000").getJsonArray("destinations").stream().map(JsonObject.class::cast)
                .filter(d -> d.getString("destination").equals(name)).findFirst().orElse(null);
    }

    private static double errors(RunningServer on, String code) {
        return on.metricNow("switchboard_errors_total{code=\"" + code + "\",endpoint=\"stomp\"}");
    }

    // ---- item 2: one connection must not exhaust the heap ----

    @Test
    void receiptedSendsToAQueueStopAtItsByteBoundWith1008() throws Exception {
        String body = "x".repeat(8 * 1024);
        try (WsClient sender = connect(server, "1.2")) {
            for (int i = 0; i < 12; i++) { // the ERROR and close may come before all are sent
                sender.sendRefused("SEND\ndestination:/queue/bytes\nreceipt:r" + i + "\n\n" + body + "\0");
            }
            List<String> before = new ArrayList<>();
            String error = nextError(sender, before);
            assertTrue(error.contains("message:queue /queue/bytes is full"), error);
            assertTrue(before.size() >= 6 && before.size() < 8, "a few 8 KiB messages fit 64 KiB: " + before.size());
            assertTrue(error.contains("receipt-id:r" + before.size() + "\n"), error);
            assertEquals(1008, sender.awaitClose().code(), "a full queue is a limit, not a protocol error");
        }
        long held = destination(server, "/queue/bytes").getJsonNumber("bytes").longValue();
        assertTrue(held > 0 && held <= QUEUE_BYTES, "the queue holds at most stomp.queue-bytes: " + held);
        assertTrue(errors(server, "queue-full") >= 1);
    }

    @Test
    void unacknowledgedMessagesCountAgainstTheQueuesDepth() throws Exception {
        try (WsClient hoarder = connect(server, "1.2"); WsClient sender = connect(server, "1.2")) {
            hoarder.sendText("SUBSCRIBE\nid:s\ndestination:/queue/hoard\nack:client-individual\nreceipt:sub\n\n\0");
            awaitReceipt(hoarder, "sub");
            for (int i = 0; i <= QUEUE_DEPTH; i++) {
                sender.sendText("SEND\ndestination:/queue/hoard\nreceipt:r" + i + "\n\nm" + i + "\0");
            }
            List<String> receipts = new ArrayList<>();
            String error = nextError(sender, receipts);
            assertEquals(QUEUE_DEPTH, receipts.size(), "the queue took exactly stomp.queue-depth messages");
            assertTrue(error.contains("full") && error.contains("receipt-id:r" + QUEUE_DEPTH), error);
            assertEquals(1008, sender.awaitClose().code());
            // the hoarder has them all, unacknowledged; one ACK makes room for one more
            String first = null;
            for (int i = 0; i < QUEUE_DEPTH; i++) {
                String message = hoarder.nextText();
                assertTrue(message.startsWith("MESSAGE"), message);
                first = first == null ? message : first;
            }
            String ack = first.lines().filter(l -> l.startsWith("ack:")).findFirst().orElseThrow().substring(4);
            hoarder.sendText("ACK\nid:" + ack + "\nreceipt:acked\n\n\0");
            awaitReceipt(hoarder, "acked");
            try (WsClient again = connect(server, "1.2")) {
                again.sendText("SEND\ndestination:/queue/hoard\nreceipt:one-more\n\nm\0");
                awaitReceipt(again, "one-more");
                again.sendText("SEND\ndestination:/queue/hoard\nreceipt:too-many\n\nm\0");
                assertTrue(nextError(again).contains("full"));
            }
        }
    }

    @Test
    void aTopicSubscriberThatNeverAcksIsCutOffAtTheBound() throws Exception {
        try (WsClient hoarder = connect(server, "1.2"); WsClient publisher = connect(server, "1.2")) {
            hoarder.sendText("SUBSCRIBE\nid:s\ndestination:/topic/hoard\nack:client\nreceipt:sub\n\n\0");
            awaitReceipt(hoarder, "sub");
            for (int i = 0; i < QUEUE_DEPTH + 5; i++) {
                publisher.sendText("SEND\ndestination:/topic/hoard\n\nm" + i + "\0");
            }
            publisher.sendText("SEND\ndestination:/topic/hoard\nreceipt:fine\n\nlast\0");
            awaitReceipt(publisher, "fine"); // the publisher is not the one at fault
            List<String> messages = new ArrayList<>();
            String error = nextError(hoarder, messages);
            assertEquals(QUEUE_DEPTH, messages.size());
            assertTrue(error.contains("unacknowledged"), error);
            assertEquals(1008, hoarder.awaitClose().code());
        }
        Await.until("the cut-off subscriber's messages to be let go",
                () -> totals(server).getJsonNumber("unackedTopicBytes").longValue() == 0);
        assertTrue(errors(server, "unacked-limit") >= 1);
    }

    @Test
    void aTransactionPastItsByteBoundIsRefusedAndLetGo() throws Exception {
        String body = "x".repeat(8 * 1024);
        try (WsClient client = connect(server, "1.2")) {
            client.sendText("BEGIN\ntransaction:big\n\n\0");
            for (int i = 0; i < 5; i++) { // the ERROR and close may arrive before the client has sent them all
                client.sendRefused("SEND\ndestination:/queue/tx-big\ntransaction:big\n\n" + body + "\0");
            }
            String error = nextError(client);
            assertTrue(error.contains("stomp.transaction-bytes"), error);
            assertEquals(1008, client.awaitClose().code());
        }
        Await.until("the refused transaction's bytes to be let go",
                () -> totals(server).getJsonNumber("transactionBytes").longValue() == 0);
        assertTrue(errors(server, "transaction-too-large") >= 1);
        assertTrue(TRANSACTION_BYTES < 5 * 8 * 1024);
    }

    @Test
    void aConnectionOpensABoundedNumberOfTransactions() throws Exception {
        try (WsClient client = connect(server, "1.2")) {
            for (int i = 1; i <= 4; i++) {
                client.sendText("BEGIN\ntransaction:t" + i + "\nreceipt:b" + i + "\n\n\0");
                awaitReceipt(client, "b" + i);
            }
            client.sendText("BEGIN\ntransaction:t5\n\n\0");
            assertTrue(nextError(client).contains("at most 4 open transactions"));
            assertEquals(1008, client.awaitClose().code());
        }
    }

    @Test
    void aConnectionHoldsABoundedNumberOfSubscriptions() throws Exception {
        try (WsClient client = connect(server, "1.2")) {
            for (int i = 1; i <= 10; i++) {
                client.sendText("SUBSCRIBE\nid:s" + i + "\ndestination:/topic/many\n\n\0");
            }
            client.sendText("SUBSCRIBE\nid:s11\ndestination:/topic/many\n\n\0");
            assertTrue(nextError(client).contains("at most 10 subscriptions"));
            assertEquals(1008, client.awaitClose().code());
        }
        assertTrue(errors(server, "too-many-subscriptions") >= 1);
    }

    @Test
    void framesOverTheRateLimitGetAnErrorAnd1008() throws Exception {
        double before = errors(tight, "rate-limited");
        try (WsClient client = connect(tight, "1.2")) {
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 60; i++) {
                burst.append("SEND\ndestination:/topic/rate\nreceipt:r").append(i).append("\n\nx\0");
            }
            client.sendText(burst.toString());
            List<String> receipts = new ArrayList<>();
            String error = nextError(client, receipts);
            assertTrue(error.contains("rate limit"), error);
            assertTrue(receipts.size() < 60 && receipts.size() >= 15, "about rate.burst frames pass: " + receipts.size());
            assertEquals(1008, client.awaitClose().code());
        }
        Await.until("the refusal to be counted", () -> errors(tight, "rate-limited") > before);
    }

    // ---- item 3: destinations are forgotten, capped, and listed in pages ----

    @Test
    void emptyQueuesAreForgottenAndFullOnesKept() throws Exception {
        try (WsClient client = connect(server, "1.2"); WsClient sender = connect(server, "1.2")) {
            for (int i = 0; i < 8; i++) {
                client.sendText("SUBSCRIBE\nid:s" + i + "\ndestination:/queue/gone-" + i + "\n\n\0");
            }
            client.sendText("SUBSCRIBE\nid:k\ndestination:/queue/kept\nack:client\nreceipt:subs\n\n\0");
            awaitReceipt(client, "subs");
            assertTrue(destination(server, "/queue/gone-3") != null);
            sender.sendText("SEND\ndestination:/queue/gone-0\n\nconsumed\0SEND\ndestination:/queue/kept\nreceipt:s\n\nunacked\0");
            awaitReceipt(sender, "s");
            client.sendText("UNSUBSCRIBE\nid:s7\nreceipt:u\n\n\0");
            awaitReceipt(client, "u");
            assertEquals(null, destination(server, "/queue/gone-7"), "no subscriber, nothing held: forgotten");
        }
        Await.until("every empty queue to be forgotten", () -> {
            JsonObject page = stats(server, "?limit=5000");
            return page.getJsonArray("destinations").stream().map(JsonObject.class::cast)
                    .noneMatch(d -> d.getString("destination").startsWith("/queue/gone-"));
        });
        Await.until("a queue with a message waiting (unacked, given back) to be kept", () -> {
            JsonObject kept = destination(server, "/queue/kept");
            return kept != null && kept.getInt("depth") == 1;
        });
    }

    @Test
    void newDestinationsPastTheCapAreRefusedWith1008() throws Exception {
        Await.until("no destinations on the tight server", () -> totals(tight).getInt("destinations") == 0);
        try (WsClient owner = connect(tight, "1.2")) {
            for (int i = 1; i <= 5; i++) {
                owner.sendText("SUBSCRIBE\nid:s" + i + "\ndestination:/queue/cap-" + i + "\nreceipt:c" + i + "\n\n\0");
                awaitReceipt(owner, "c" + i);
            }
            try (WsClient sender = connect(tight, "1.2")) {
                sender.sendText("SEND\ndestination:/queue/cap-1\nreceipt:old\n\nto an existing queue\0");
                awaitReceipt(sender, "old");
                sender.sendText("SEND\ndestination:/queue/cap-new\nreceipt:new\n\nx\0");
                String error = nextError(sender);
                assertTrue(error.contains("stomp.max-destinations") && error.contains("receipt-id:new"), error);
                assertEquals(1008, sender.awaitClose().code());
            }
            owner.sendText("SUBSCRIBE\nid:t\ndestination:/topic/cap-topic\n\n\0");
            assertTrue(nextError(owner).contains("stomp.max-destinations"));
            assertEquals(1008, owner.awaitClose().code());
        }
        Await.until("the closed owner's queues to be forgotten", () -> totals(tight).getInt("destinations") == 0);
        try (WsClient later = connect(tight, "1.2")) {
            later.sendText("SUBSCRIBE\nid:s\ndestination:/queue/cap-after\nreceipt:ok\n\n\0");
            awaitReceipt(later, "ok");
        }
        assertTrue(errors(tight, "too-many-destinations") >= 2);
    }

    @Test
    void destinationNamesAreBounded() throws Exception {
        try (WsClient client = connect(server, "1.2")) {
            client.sendText("SUBSCRIBE\nid:s\ndestination:/queue/" + "n".repeat(300) + "\n\n\0");
            assertTrue(nextError(client).contains("at most 255 bytes"));
            assertEquals(1008, client.awaitClose().code());
        }
    }

    @Test
    void statsArePagedWithTotalsAlwaysPresent() throws Exception {
        try (WsClient client = connect(server, "1.2")) {
            for (int i = 0; i < 9; i++) {
                client.sendText("SUBSCRIBE\nid:s" + i + "\ndestination:/topic/page-" + i + "\n\n\0");
            }
            client.sendText("SUBSCRIBE\nid:last\ndestination:/topic/page-z\nreceipt:r\n\n\0");
            awaitReceipt(client, "r");
            JsonObject all = null;
            JsonObject page = null;
            int total = -1;
            for (int tries = 0; tries < 20 && (page == null || total != page.getJsonObject("totals").getInt("destinations")); tries++) {
                all = stats(server, ""); // again if an earlier test's close changed the set in between
                total = all.getJsonObject("totals").getInt("destinations");
                page = stats(server, "?offset=1&limit=3");
            }
            assertTrue(total >= 10 && all.getJsonArray("destinations").size() == total, all.toString());
            assertEquals(3, page.getJsonArray("destinations").size());
            assertEquals(1, page.getInt("offset"));
            assertEquals(total, page.getJsonObject("totals").getInt("destinations"), "totals cover every destination");
            assertEquals(all.getJsonArray("destinations").get(1), page.getJsonArray("destinations").get(0),
                    "pages are slices of the same name order");
            assertEquals(400, server.get("stomp-stats?limit=lots").statusCode());
            assertEquals(400, server.get("stomp-stats?limit=1000000").statusCode());
        }
    }

    // ---- transactions age ----

    @Test
    void anExpiredTransactionIsAbortedAndItsCommitRefused() throws Exception {
        try (WsClient listener = connect(tight, "1.2"); WsClient client = connect(tight, "1.2")) {
            listener.sendText("SUBSCRIBE\nid:s\ndestination:/topic/ttl\nreceipt:sub\n\n\0");
            awaitReceipt(listener, "sub");
            client.sendText("BEGIN\ntransaction:slow\n\n\0SEND\ndestination:/topic/ttl\ntransaction:slow\nreceipt:in\n\nlate\0");
            awaitReceipt(client, "in");
            Await.until("the transaction to expire and let go of its frames",
                    () -> totals(tight).getJsonNumber("transactionBytes").longValue() == 0);
            client.sendText("COMMIT\ntransaction:slow\nreceipt:commit\n\n\0");
            String error = nextError(client);
            assertTrue(error.contains("stomp.transaction-ttl") && error.contains("receipt-id:commit"), error);
            assertEquals(1008, client.awaitClose().code());
            try (WsClient probe = connect(tight, "1.2")) {
                probe.sendText("SEND\ndestination:/topic/ttl\n\nprobe\0");
                String next = listener.nextText();
                assertTrue(next.endsWith("\n\nprobe\0"), "nothing of the expired transaction was sent: " + next);
            }
        }
    }

    // ---- item 10: headers a receiver's version cannot carry ----

    @Test
    void escapedLineBreaksFromA12SenderNeverReachA10Subscriber() throws Exception {
        try (WsClient old = connect(server, "1.0"); WsClient sender = connect(server, "1.2")) {
            old.sendText("SUBSCRIBE\ndestination:/topic/inject\nreceipt:sub\n\n\0");
            awaitReceipt(old, "sub");
            sender.sendText("SEND\ndestination:/topic/inject\nevil:a\\ncontent-length:0\\n\\nFAKE\n\nreal body\0");
            String error = nextError(sender);
            assertTrue(error.contains("line break"), error);
            assertEquals(1008, sender.awaitClose().code());
            try (WsClient nameSender = connect(server, "1.1")) {
                nameSender.sendText("SEND\ndestination:/topic/inject\nna\\cme:v\n\nx\0");
                assertTrue(nextError(nameSender).contains("name with ':'"));
            }
            try (WsClient destinationSender = connect(server, "1.2")) {
                destinationSender.sendText("SEND\ndestination:/topic/inject\\nfake:1\n\nx\0");
                assertTrue(nextError(destinationSender).contains("control characters"));
            }
            try (WsClient probe = connect(server, "1.2")) {
                probe.sendText("SEND\ndestination:/topic/inject\nok:yes\n\nprobe\0");
                String next = old.nextText();
                assertTrue(next.contains("\nok:yes\n") && next.endsWith("\n\nprobe\0") && !next.contains("FAKE"), next);
            }
        }
        assertTrue(errors(server, "unrelayable-header") >= 2);
    }

    @Test
    void aRawNulOrCrInAHeaderIsAProtocolError() throws Exception {
        try (WsClient listener = connect(server, "1.0"); WsClient sender = connect(server, "1.0")) {
            listener.sendText("SUBSCRIBE\ndestination:/topic/nul\nreceipt:sub\n\n\0");
            awaitReceipt(listener, "sub");
            sender.sendBinary("SEND\ndestination:/topic/nul\nx:a\0b\ncontent-length:1\n\nz\0".getBytes(StandardCharsets.UTF_8));
            assertTrue(nextError(sender).contains("NUL in a header line"));
            assertEquals(1002, sender.awaitClose().code());
            try (WsClient cr = connect(server, "1.1")) {
                cr.sendText("SEND\ndestination:/topic/nul\nx:a\rb\n\nz\0");
                assertTrue(nextError(cr).contains("CR inside a header line"));
                assertEquals(1002, cr.awaitClose().code());
            }
            try (WsClient probe = connect(server, "1.2")) {
                probe.sendText("SEND\ndestination:/topic/nul\n\nprobe\0");
                assertTrue(listener.nextText().endsWith("\n\nprobe\0"), "nothing was relayed before the probe");
            }
        }
    }

    // ---- item 9: a failure while handling a frame still answers the client ----

    @Test
    void aLongPasscodeGetsAnAnswer() throws Exception {
        try (RunningServer secured = RunningServer.start(Map.of("security", "on",
                "security.users", "olga:" + UserStore.bcrypt("short") + ":user"));
             WsClient client = WsClient.connect(secured.ws("stomp"))) {
            client.sendText("CONNECT\naccept-version:1.2\nlogin:olga\npasscode:" + "p".repeat(100) + "\n\n\0");
            String error = client.nextText();
            assertTrue(error.startsWith("ERROR\n"), error);
            int code = client.awaitClose().code();
            assertTrue(code == 1008 || code == 1011, "refused (login failed) or a server failure, never silence: " + code);
        }
    }

    @Test
    void anAuthenticatorThatThrowsGivesErrorAnd1011() throws Exception {
        try (StompBroker broker = TestBrokers.direct(new StompSettings(4096, 16, 1024, 10, 0, 0))) {
            List<String> out = new ArrayList<>();
            int[] closedWith = {0};
            String[] counted = {null};
            StompSession session = broker.open(new StompSession.Transport() {
                public void send(Broadcast.Frame frame) {
                    out.add(((Broadcast.Text) frame).text());
                }

                public void close(int code, String reason) {
                    closedWith[0] = code;
                }

                public long lastHeardNanos() {
                    return System.nanoTime();
                }

                public void refused(String code) {
                    counted[0] = code;
                }
            }, new StompSecurity() {
                public String login(String login, String passcode) {
                    throw new IllegalArgumentException("password longer than 72 bytes");
                }

                public boolean maySend(String user, String destination) {
                    return true;
                }

                public boolean maySubscribe(String user, String destination) {
                    return true;
                }
            });
            try {
                session.receive(ByteBuffer.wrap("CONNECT\naccept-version:1.2\nreceipt:c\n\n\0".getBytes(StandardCharsets.UTF_8)));
                throw new AssertionError("the failure was not reported");
            } catch (StompException e) {
                session.refuse(e);
            }
            assertEquals(1, out.size());
            assertTrue(out.get(0).startsWith("ERROR\n") && out.get(0).contains("message:internal server error"), out.get(0));
            assertEquals(1011, closedWith[0]);
            assertEquals("internal", counted[0]);
        }
    }
}
