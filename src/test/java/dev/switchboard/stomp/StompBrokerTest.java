package dev.switchboard.stomp;

import dev.switchboard.connection.Broadcast;
import dev.switchboard.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The broker core without a server: sessions are fed frames as text and their output decoded. */
class StompBrokerTest {

    private final StompBroker broker = TestBrokers.direct(new StompSettings(64 * 1024, 32, 1024, 3, 0, 0));

    @AfterEach
    void stop() {
        broker.close();
    }

    /** A client: what it sends in, what it got out, how it was closed. */
    private final class Client implements StompSession.Transport {
        final List<Broadcast.Frame> raw = new ArrayList<>();
        final java.util.Set<String> sendingThreads = new java.util.HashSet<>();
        final StompSession session;
        int closedWith;

        Client() {
            this(broker);
        }

        Client(StompBroker on) {
            session = on.open(this, StompSecurity.open());
        }

        @Override
        public synchronized void send(Broadcast.Frame frame) {
            raw.add(frame);
            sendingThreads.add(Thread.currentThread().getName());
        }

        @Override
        public void close(int code, String reason) {
            closedWith = code;
        }

        @Override
        public long lastHeardNanos() {
            return System.nanoTime();
        }

        Client in(String frames) throws StompException {
            session.receive(ByteBuffer.wrap(frames.replace("^@", "\0").getBytes(StandardCharsets.UTF_8)));
            return this;
        }

        Client connected(String version) throws StompException {
            in("CONNECT\naccept-version:" + version + "\nhost:x\n\n^@");
            assertEquals(StompCommand.CONNECTED, take().command());
            return this;
        }

        synchronized List<StompFrame> frames() {
            List<StompFrame> frames = new ArrayList<>();
            StompDecoder decoder = new StompDecoder(Integer.MAX_VALUE, 1000, 100000);
            decoder.version(StompVersion.V1_2);
            for (Broadcast.Frame frame : raw) {
                byte[] bytes = frame instanceof Broadcast.Text t ? t.text().getBytes(StandardCharsets.UTF_8)
                        : ((Broadcast.Binary) frame).data();
                try {
                    frames.addAll(decoder.decode(ByteBuffer.wrap(bytes)));
                } catch (StompException e) {
                    throw new AssertionError(e);
                }
            }
            return frames;
        }

        synchronized StompFrame take() {
            List<StompFrame> frames = frames();
            assertTrue(!frames.isEmpty(), "a frame was sent");
            raw.remove(0);
            return frames.get(0);
        }

        List<String> bodies() {
            return frames().stream().filter(f -> f.command() == StompCommand.MESSAGE).map(StompFrame::bodyText)
                    .collect(Collectors.toList());
        }

        synchronized void clear() {
            raw.clear();
        }
    }

    private StompException refused(Client client, String frames) {
        return assertThrows(StompException.class, () -> client.in(frames));
    }

    // ---- connecting ----

    @Test
    void connectNegotiatesTheHighestCommonVersion() throws Exception {
        Client client = new Client();
        client.in("CONNECT\naccept-version:1.0,1.1,1.2\nhost:x\n\n^@");
        StompFrame connected = client.take();
        assertEquals("1.2", connected.header("version"));
        assertTrue(connected.header("server").startsWith("Switchboard"));
        Client old = new Client().in("CONNECT\n\n^@");
        assertEquals("1.0", old.take().header("version"));
        Client stompCommand = new Client().in("STOMP\naccept-version:1.1\nhost:x\n\n^@");
        assertEquals("1.1", stompCommand.take().header("version"));
    }

    @Test
    void noCommonVersionIsRefusedNamingTheSupportedOnes() {
        Client client = new Client();
        StompException e = refused(client, "CONNECT\naccept-version:2.0\n\n^@");
        assertEquals(1002, e.closeCode());
        client.session.sendError(e);
        StompFrame error = client.take();
        assertEquals(StompCommand.ERROR, error.command());
        assertEquals("1.0,1.1,1.2", error.header("version"));
    }

    @Test
    void framesBeforeConnectAreRefused() {
        assertTrue(refused(new Client(), "SEND\ndestination:/topic/a\n\nx^@").getMessage().contains("CONNECT"));
    }

    @Test
    void heartbeatsAreNegotiatedAsTheSpecSays() throws Exception {
        StompBroker beating = TestBrokers.direct(new StompSettings(1024, 8, 256, 10, 5000, 8000));
        try {
            List<Broadcast.Frame> out = new ArrayList<>();
            StompSession session = beating.open(new StompSession.Transport() {
                public void send(Broadcast.Frame frame) { out.add(frame); }
                public void close(int code, String reason) { }
                public long lastHeardNanos() { return System.nanoTime(); }
            }, StompSecurity.open());
            session.receive(ByteBuffer.wrap("CONNECT\naccept-version:1.2\nheart-beat:10000,2000\n\n\0".getBytes()));
            String connected = ((Broadcast.Text) out.get(0)).text();
            // server sends every max(5000, 2000); expects every max(8000, 10000)
            assertTrue(connected.contains("heart-beat:5000,10000"), connected);
            session.closed();
        } finally {
            beating.close();
        }
    }

    // ---- topics ----

    @Test
    void topicMessageReachesEverySubscriberWithItsHeaders() throws Exception {
        Client a = new Client().connected("1.2");
        Client b = new Client().connected("1.2");
        Client sender = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:s1\ndestination:/topic/news\n\n^@");
        b.in("SUBSCRIBE\nid:other\ndestination:/topic/news\n\n^@");
        sender.in("SEND\ndestination:/topic/news\ncontent-type:text/plain\nx-custom:42\n\nhello^@");
        StompFrame atA = a.take();
        assertEquals(StompCommand.MESSAGE, atA.command());
        assertEquals("/topic/news", atA.header("destination"));
        assertEquals("s1", atA.header("subscription"));
        assertEquals("text/plain", atA.header("content-type"));
        assertEquals("42", atA.header("x-custom"));
        assertEquals("hello", atA.bodyText());
        assertNull(atA.header("ack"), "auto mode needs no ack");
        StompFrame atB = b.take();
        assertEquals("other", atB.header("subscription"));
        assertEquals(atA.header("message-id"), atB.header("message-id"));
        assertTrue(sender.frames().isEmpty());
    }

    @Test
    void topicFanOutEncodesOncePerSubscriptionGroup() throws Exception {
        Client a = new Client().connected("1.2");
        Client b = new Client().connected("1.2");
        Client c = new Client().connected("1.1");
        for (Client client : List.of(a, b, c)) {
            client.in("SUBSCRIBE\nid:sub-0\ndestination:/topic/t\n\n^@");
        }
        new Client().connected("1.2").in("SEND\ndestination:/topic/t\n\nx^@");
        assertSame(a.raw.get(0), b.raw.get(0), "same version, id and ack mode: one encoding");
        assertEquals(1, c.raw.size());
    }

    @Test
    void bigTopicFansOutOnThePoolNeverThePublishersThreadAndEachSubscriberKeepsThePublishOrder() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4,
                dev.switchboard.ops.DaemonThreads.named("test-fan-out"));
        try (StompBroker pooled = TestBrokers.pooled(new StompSettings(64 * 1024, 32, 1024, 3, 0, 0), pool)) {
            List<Client> subscribers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Client client = new Client(pooled).connected("1.2");
                client.in("SUBSCRIBE\nid:s\ndestination:/topic/big\n\n^@");
                subscribers.add(client);
            }
            for (Client client : subscribers) {
                synchronized (client) {
                    client.sendingThreads.clear(); // CONNECTED came on this thread; only MESSAGE frames count
                }
            }
            Client sender = new Client(pooled).connected("1.2");
            for (int n = 0; n < 200; n++) {
                sender.in("SEND\ndestination:/topic/big\n\n" + n + "^@");
            }
            for (Client client : subscribers) {
                Await.until("200 messages for every subscriber", () -> client.frames().size() == 200);
                List<String> bodies = client.frames().stream().map(StompFrame::bodyText).toList();
                assertEquals(java.util.stream.IntStream.range(0, 200).mapToObj(Integer::toString).toList(), bodies);
                synchronized (client) {
                    assertTrue(client.sendingThreads.stream().allMatch(t -> t.startsWith("test-fan-out")),
                            client.sendingThreads.toString());
                }
            }
            long threadsUsed = subscribers.stream().flatMap(c -> c.sendingThreads.stream()).distinct().count();
            assertTrue(threadsUsed >= 2, "a big topic's fan-out is spread over the pool");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unsubscribedGetsNothingMore() throws Exception {
        Client a = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:s\ndestination:/topic/t\n\n^@UNSUBSCRIBE\nid:s\n\n^@");
        new Client().connected("1.2").in("SEND\ndestination:/topic/t\n\nx^@");
        assertTrue(a.frames().isEmpty());
    }

    // ---- queues ----

    @Test
    void queueMessagesGoRoundRobinEachToOneSubscriber() throws Exception {
        Client a = new Client().connected("1.2");
        Client b = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:s\ndestination:/queue/work\n\n^@");
        b.in("SUBSCRIBE\nid:s\ndestination:/queue/work\n\n^@");
        Client sender = new Client().connected("1.2");
        for (int i = 1; i <= 4; i++) {
            sender.in("SEND\ndestination:/queue/work\n\nm" + i + "^@");
        }
        assertEquals(List.of("m1", "m3"), a.bodies());
        assertEquals(List.of("m2", "m4"), b.bodies());
    }

    @Test
    void queueHoldsMessagesUntilSomeoneSubscribesUpToItsBound() throws Exception {
        Client sender = new Client().connected("1.2");
        for (int i = 1; i <= 3; i++) {
            sender.in("SEND\ndestination:/queue/later\n\nm" + i + "^@");
        }
        StompException full = refused(sender, "SEND\ndestination:/queue/later\nreceipt:r9\n\nm4^@");
        assertTrue(full.getMessage().contains("full"));
        assertEquals("r9", full.receiptId());
        Client late = new Client().connected("1.2");
        late.in("SUBSCRIBE\nid:s\ndestination:/queue/later\n\n^@");
        assertEquals(List.of("m1", "m2", "m3"), late.bodies());
    }

    @Test
    void clientAckIsCumulative() throws Exception {
        Client a = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:s\ndestination:/queue/q\nack:client\n\n^@");
        Client sender = new Client().connected("1.2");
        for (int i = 1; i <= 3; i++) {
            sender.in("SEND\ndestination:/queue/q\n\nm" + i + "^@");
        }
        List<StompFrame> got = a.frames();
        a.in("ACK\nid:" + got.get(1).header("ack") + "\n\n^@"); // acks m1 and m2
        a.session.closed();
        Client b = new Client().connected("1.2");
        b.in("SUBSCRIBE\nid:s\ndestination:/queue/q\n\n^@");
        assertEquals(List.of("m3"), b.bodies(), "only the unacked message is redelivered");
        assertEquals("true", b.frames().get(0).header("redelivered"));
    }

    @Test
    void clientIndividualAckCoversOneMessage() throws Exception {
        Client a = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:s\ndestination:/queue/q\nack:client-individual\n\n^@");
        Client sender = new Client().connected("1.2");
        for (int i = 1; i <= 3; i++) {
            sender.in("SEND\ndestination:/queue/q\n\nm" + i + "^@");
        }
        a.in("ACK\nid:" + a.frames().get(1).header("ack") + "\n\n^@"); // only m2
        a.session.closed();
        Client b = new Client().connected("1.2");
        b.in("SUBSCRIBE\nid:s\ndestination:/queue/q\n\n^@");
        assertEquals(List.of("m1", "m3"), b.bodies());
    }

    @Test
    void nackedMessageGoesToAnotherSubscriberMarkedRedelivered() throws Exception {
        Client a = new Client().connected("1.2");
        Client b = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:s\ndestination:/queue/n\nack:client-individual\n\n^@");
        b.in("SUBSCRIBE\nid:s\ndestination:/queue/n\nack:client-individual\n\n^@");
        new Client().connected("1.2").in("SEND\ndestination:/queue/n\n\njob^@");
        StompFrame first = a.take();
        a.in("NACK\nid:" + first.header("ack") + "\n\n^@");
        StompFrame again = b.take();
        assertEquals("job", again.bodyText());
        assertEquals("true", again.header("redelivered"));
        assertEquals(first.header("message-id"), again.header("message-id"));
    }

    @Test
    void nackWithOneSubscriberRedeliversToTheSameOne() throws Exception {
        Client a = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:s\ndestination:/queue/solo\nack:client\n\n^@");
        new Client().connected("1.2").in("SEND\ndestination:/queue/solo\n\njob^@");
        a.in("NACK\nid:" + a.take().header("ack") + "\n\n^@");
        StompFrame again = a.take();
        assertEquals("job", again.bodyText());
        assertEquals("true", again.header("redelivered"));
    }

    @Test
    void unackedMessagesOfADepartingSubscriberGoToTheOthers() throws Exception {
        Client a = new Client().connected("1.2");
        Client b = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:s\ndestination:/queue/d\nack:client\n\n^@");
        b.in("SUBSCRIBE\nid:s\ndestination:/queue/d\nack:client\n\n^@");
        Client sender = new Client().connected("1.2");
        sender.in("SEND\ndestination:/queue/d\n\nm1^@SEND\ndestination:/queue/d\n\nm2^@");
        assertEquals(List.of("m1"), a.bodies());
        a.session.closed();
        List<StompFrame> atB = b.frames();
        assertEquals(List.of("m2", "m1"), b.bodies());
        assertEquals("true", atB.get(1).header("redelivered"));
    }

    @Test
    void topicNackRedeliversToTheSameSubscription() throws Exception {
        Client a = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:s\ndestination:/topic/tn\nack:client\n\n^@");
        new Client().connected("1.2").in("SEND\ndestination:/topic/tn\n\nping^@");
        a.in("NACK\nid:" + a.take().header("ack") + "\n\n^@");
        assertEquals("true", a.take().header("redelivered"));
    }

    @Test
    void ackIn11UsesMessageIdAndSubscription() throws Exception {
        Client a = new Client().connected("1.1");
        a.in("SUBSCRIBE\nid:s\ndestination:/queue/v11\nack:client\n\n^@");
        new Client().connected("1.2").in("SEND\ndestination:/queue/v11\n\nm^@");
        StompFrame message = a.take();
        assertNull(message.header("ack"), "1.1 has no ack header");
        a.in("ACK\nmessage-id:" + message.header("message-id") + "\nsubscription:s\n\n^@");
        a.session.closed();
        Client b = new Client().connected("1.2");
        b.in("SUBSCRIBE\nid:s\ndestination:/queue/v11\n\n^@");
        assertTrue(b.frames().isEmpty(), "acked, so not redelivered");
    }

    @Test
    void stomp10SubscribesWithoutIdAndAcksByMessageId() throws Exception {
        Client old = new Client().connected("1.0");
        old.in("SUBSCRIBE\ndestination:/queue/old\nack:client\n\n^@");
        new Client().connected("1.2").in("SEND\ndestination:/queue/old\n\nm^@");
        StompFrame message = old.take();
        assertEquals("/queue/old", message.header("subscription"));
        old.in("ACK\nmessage-id:" + message.header("message-id") + "\n\n^@UNSUBSCRIBE\ndestination:/queue/old\n\n^@");
        Client b = new Client().connected("1.2");
        b.in("SUBSCRIBE\nid:s\ndestination:/queue/old\n\n^@");
        assertTrue(b.frames().isEmpty());
    }

    // ---- transactions ----

    @Test
    void sendsInATransactionArriveOnlyAtCommit() throws Exception {
        Client a = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:s\ndestination:/topic/tx\n\n^@");
        Client sender = new Client().connected("1.2");
        sender.in("BEGIN\ntransaction:t1\n\n^@SEND\ndestination:/topic/tx\ntransaction:t1\n\none^@"
                + "SEND\ndestination:/topic/tx\ntransaction:t1\n\ntwo^@");
        assertTrue(a.frames().isEmpty());
        sender.in("COMMIT\ntransaction:t1\n\n^@");
        assertEquals(List.of("one", "two"), a.bodies());
        assertNull(a.frames().get(0).header("transaction"));
    }

    @Test
    void abortedTransactionSendsNothing() throws Exception {
        Client a = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:s\ndestination:/topic/tx\n\n^@");
        new Client().connected("1.2").in("BEGIN\ntransaction:t\n\n^@SEND\ndestination:/topic/tx\ntransaction:t\n\nx^@"
                + "ABORT\ntransaction:t\n\n^@");
        assertTrue(a.frames().isEmpty());
    }

    @Test
    void acksInATransactionApplyAtCommitAndAbortLeavesThemUnacked() throws Exception {
        Client a = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:s\ndestination:/queue/txa\nack:client-individual\n\n^@");
        new Client().connected("1.2").in("SEND\ndestination:/queue/txa\n\nm1^@SEND\ndestination:/queue/txa\n\nm2^@");
        List<StompFrame> got = a.frames();
        a.in("BEGIN\ntransaction:t\n\n^@ACK\nid:" + got.get(0).header("ack") + "\ntransaction:t\n\n^@COMMIT\ntransaction:t\n\n^@");
        a.in("BEGIN\ntransaction:u\n\n^@ACK\nid:" + got.get(1).header("ack") + "\ntransaction:u\n\n^@ABORT\ntransaction:u\n\n^@");
        a.session.closed();
        Client b = new Client().connected("1.2");
        b.in("SUBSCRIBE\nid:s\ndestination:/queue/txa\n\n^@");
        assertEquals(List.of("m2"), b.bodies());
    }

    @Test
    void unknownTransactionsAreErrors() throws Exception {
        assertTrue(refused(new Client().connected("1.2"), "COMMIT\ntransaction:nope\n\n^@").getMessage().contains("nope"));
        assertTrue(refused(new Client().connected("1.2"), "ABORT\ntransaction:nope\n\n^@").getMessage().contains("nope"));
        assertTrue(refused(new Client().connected("1.2"), "SEND\ndestination:/topic/a\ntransaction:nope\n\n^@")
                .getMessage().contains("nope"));
        assertTrue(refused(new Client().connected("1.2"), "BEGIN\ntransaction:t\n\n^@BEGIN\ntransaction:t\n\n^@")
                .getMessage().contains("already"));
    }

    // ---- receipts, disconnect, errors ----

    @Test
    void anyFrameWithAReceiptGetsItsReceipt() throws Exception {
        Client a = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:s\ndestination:/topic/r\nreceipt:1\n\n^@SEND\ndestination:/topic/r\nreceipt:2\n\nx^@"
                + "BEGIN\ntransaction:t\nreceipt:3\n\n^@ABORT\ntransaction:t\nreceipt:4\n\n^@UNSUBSCRIBE\nid:s\nreceipt:5\n\n^@");
        List<String> receipts = a.frames().stream().filter(f -> f.command() == StompCommand.RECEIPT)
                .map(f -> f.header("receipt-id")).toList();
        assertEquals(List.of("1", "2", "3", "4", "5"), receipts);
    }

    @Test
    void disconnectSendsItsReceiptThenCloses() throws Exception {
        Client a = new Client().connected("1.2");
        a.in("DISCONNECT\nreceipt:bye\n\n^@");
        assertEquals("bye", a.take().header("receipt-id"));
        assertEquals(1000, a.closedWith);
    }

    @Test
    void badFramesAreProtocolErrors() throws Exception {
        for (String bad : List.of("SEND\n\nx^@", "SEND\ndestination:/elsewhere/a\n\nx^@", "SUBSCRIBE\nid:s\n\n^@",
                "SUBSCRIBE\ndestination:/topic/a\n\n^@", "SUBSCRIBE\nid:s\ndestination:/topic/a\nack:sometimes\n\n^@",
                "UNSUBSCRIBE\nid:never\n\n^@", "MESSAGE\n\n^@", "CONNECT\naccept-version:1.2\n\n^@",
                "SUBSCRIBE\nid:s\ndestination:/topic/a\n\n^@SUBSCRIBE\nid:s\ndestination:/topic/b\n\n^@")) {
            StompException e = refused(new Client().connected("1.2"), bad);
            assertEquals(1002, e.closeCode(), bad);
        }
    }

    @Test
    void errorFrameNamesTheProblemAndTheReceipt() throws Exception {
        Client a = new Client().connected("1.2");
        StompException e = refused(a, "SEND\nreceipt:77\n\nx^@");
        a.session.sendError(e);
        StompFrame error = a.take();
        assertEquals(StompCommand.ERROR, error.command());
        assertTrue(error.header("message").contains("destination"));
        assertEquals("77", error.header("receipt-id"));
    }

    @Test
    void binaryBodyGoesOutAsABinaryFrame() throws Exception {
        Client a = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:s\ndestination:/topic/bin\n\n^@");
        Client sender = new Client().connected("1.2");
        byte[] frame = "SEND\ndestination:/topic/bin\ncontent-length:3\n\n\u00ff\u0000\u00fe\0".getBytes(StandardCharsets.ISO_8859_1);
        sender.session.receive(ByteBuffer.wrap(frame));
        assertTrue(a.raw.get(0) instanceof Broadcast.Binary);
        byte[] body = a.take().body();
        assertEquals(3, body.length);
        assertEquals((byte) 0xff, body[0]);
        assertEquals(0, body[1]);
    }

    // ---- what the broker holds (issue 13) ----

    @Test
    void everythingHeldIsLetGoAgainAndIdleQueuesAreForgotten() throws Exception {
        Client a = new Client().connected("1.2");
        Client b = new Client().connected("1.1");
        Client sender = new Client().connected("1.2");
        a.in("SUBSCRIBE\nid:q\ndestination:/queue/held\nack:client\n\n^@SUBSCRIBE\nid:t\ndestination:/topic/held\nack:client-individual\n\n^@");
        b.in("SUBSCRIBE\nid:q\ndestination:/queue/held\nack:client-individual\n\n^@");
        sender.in("SEND\ndestination:/queue/held\n\nq1^@SEND\ndestination:/queue/held\n\nq2^@SEND\ndestination:/topic/held\n\nt1^@");
        sender.in("BEGIN\ntransaction:x\n\n^@SEND\ndestination:/queue/held\ntransaction:x\n\nin tx^@");
        assertTrue(broker.heldBytes() > 0);
        StompFrame nacked = b.frames().get(0);
        b.in("NACK\nmessage-id:" + nacked.header("message-id") + "\nsubscription:q\n\n^@"); // back to a
        b.clear();
        a.session.closed(); // its queue messages go to b, its topic message is let go
        sender.in("ABORT\ntransaction:x\n\n^@");
        Await.until("b to have the queue's messages", () -> b.frames().size() == 2);
        for (StompFrame message : b.frames()) {
            b.in("ACK\nmessage-id:" + message.header("message-id") + "\nsubscription:q\n\n^@");
        }
        assertEquals(0, broker.heldBytes(), "acked, aborted, closed: nothing held");
        b.session.closed();
        assertEquals(List.of(), broker.stats(), "no subscriber, nothing held: every destination forgotten");
        StompBroker.Totals totals = broker.page(0, 10).totals();
        assertEquals(0, totals.destinations());
        assertEquals(0, totals.queuedBytes() + totals.unackedTopicBytes() + totals.transactionBytes());
    }

    @Test
    void queueBytesDestinationsTransactionsAndSubscriptionsAreBoundedByTheSettings() throws Exception {
        StompBroker small = TestBrokers.direct(new StompSettings(64 * 1024, 32, 1024, 100, 1000,
                1000, java.time.Duration.ofMinutes(1), 2, 3, 2, Long.MAX_VALUE, 0, 0));
        try {
            String big = "x".repeat(600);
            StompSession s = connectedTo(small);
            in(s, "SEND\ndestination:/queue/a\n\n" + big + "^@");
            StompException full = assertThrows(StompException.class, () -> in(s, "SEND\ndestination:/queue/a\n\n" + big + "^@"));
            assertEquals("queue-full", full.code());
            assertEquals(1008, full.closeCode());

            StompSession t = connectedTo(small);
            in(t, "SUBSCRIBE\nid:1\ndestination:/topic/b\n\n^@");
            StompException cap = assertThrows(StompException.class, () -> in(t, "SUBSCRIBE\nid:2\ndestination:/queue/c\n\n^@"));
            assertEquals("too-many-destinations", cap.code());
            in(t, "SUBSCRIBE\nid:3\ndestination:/topic/b\n\n^@SUBSCRIBE\nid:4\ndestination:/queue/a\n\n^@");
            assertEquals("too-many-subscriptions", assertThrows(StompException.class, () ->
                    in(t, "SUBSCRIBE\nid:5\ndestination:/topic/b\n\n^@")).code());

            StompSession u = connectedTo(small);
            assertEquals("transaction-too-large", assertThrows(StompException.class, () -> in(u,
                    "BEGIN\ntransaction:x\n\n^@SEND\ndestination:/queue/a\ntransaction:x\n\n" + "y".repeat(1000) + "^@")).code());
            StompSession v = connectedTo(small);
            assertEquals("too-many-transactions", assertThrows(StompException.class, () ->
                    in(v, "BEGIN\ntransaction:1\n\n^@BEGIN\ntransaction:2\n\n^@BEGIN\ntransaction:3\n\n^@")).code());
        } finally {
            small.close();
        }
    }

    private static StompSession connectedTo(StompBroker on) throws StompException {
        StompSession session = on.open(new StompSession.Transport() {
            public void send(Broadcast.Frame frame) { }
            public void close(int code, String reason) { }
            public long lastHeardNanos() { return System.nanoTime(); }
        }, StompSecurity.open());
        in(session, "CONNECT\naccept-version:1.2\n\n^@");
        return session;
    }

    private static void in(StompSession session, String frames) throws StompException {
        session.receive(ByteBuffer.wrap(frames.replace("^@", "\0").getBytes(StandardCharsets.UTF_8)));
    }
}
