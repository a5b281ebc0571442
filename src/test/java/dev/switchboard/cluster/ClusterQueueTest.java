package dev.switchboard.cluster;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.GridNodes;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.ServerProcess;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * STOMP queues across nodes (docs/protocol.md, "A cluster"): a queue runs on one node, its home,
 * and every node sends to it and consumes from it; one message to one consumer in the whole
 * cluster, retained across nodes, unacknowledged ones redelivered; the home killed with SIGKILL
 * loses nothing that was receipted — the next node takes the queue over from the grid.
 */
class ClusterQueueTest {

    private static final Map<String, String> KEYS = Map.of("rate.messages-per-second", "1000000", "rate.burst",
            "1000000", "stomp.heartbeat", "0,0");

    private static RunningServer a;
    private static RunningServer b;
    private static String clusterName;
    private static String clusterMembers;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        int portA = GridNodes.freePort();
        int portB = GridNodes.freePort();
        clusterName = "queue-test-" + ProcessHandle.current().pid();
        clusterMembers = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
        CompletableFuture<RunningServer> startA = CompletableFuture.supplyAsync(() -> RunningServer.start(keys(portA)));
        CompletableFuture<RunningServer> startB = CompletableFuture.supplyAsync(() -> RunningServer.start(keys(portB)));
        a = startA.get();
        b = startB.get();
        Await.until("both nodes in one grid", Duration.ofSeconds(60),
                () -> GridNodes.members(a.http("health")) == 2 && GridNodes.members(b.http("health")) == 2);
    }

    private static Map<String, String> keys(int gridPort) {
        Map<String, String> keys = new HashMap<>(KEYS);
        keys.putAll(Map.of("cluster", "on", "cluster.name", clusterName, "cluster.port", Integer.toString(gridPort),
                "cluster.members", clusterMembers));
        return keys;
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static String queue(String name) {
        return "/queue/" + name + System.nanoTime() % 1_000_000;
    }

    @Test
    void eachMessageGoesToExactlyOneConsumerOfTheWholeCluster() throws Exception {
        String queue = queue("work");
        try (Stomp onA = new Stomp(a.ws("stomp")); Stomp onB = new Stomp(b.ws("stomp"));
             Stomp producer = new Stomp(a.ws("stomp"))) {
            onA.subscribe("s", queue, "auto");
            onB.subscribe("s", queue, "auto");
            int total = 200;
            for (int i = 0; i < total; i++) {
                producer.send(queue, "m" + i, "r" + i);
            }
            producer.awaitReceipt("r" + (total - 1));
            List<String> got = new ArrayList<>();
            Await.until("all " + total + " consumed", Duration.ofSeconds(20), () -> {
                onA.drainMessages().forEach(m -> got.add("A " + m.body()));
                onB.drainMessages().forEach(m -> got.add("B " + m.body()));
                return got.size() >= total;
            });
            Set<String> bodies = new HashSet<>();
            for (String entry : got) {
                assertTrue(bodies.add(entry.substring(2)), "delivered twice: " + entry);
            }
            assertEquals(total, bodies.size());
            assertTrue(got.stream().anyMatch(e -> e.startsWith("A ")) && got.stream().anyMatch(e -> e.startsWith("B ")),
                    "both nodes' consumers had a share");
        }
    }

    @Test
    void aQueueKeepsItsMessagesForAConsumerOnAnotherNodeInOrder() throws Exception {
        String queue = queue("kept");
        try (Stomp producer = new Stomp(a.ws("stomp"))) {
            for (int i = 0; i < 50; i++) {
                producer.send(queue, "k" + i, i == 49 ? "last" : null);
            }
            producer.awaitReceipt("last");
        }
        try (Stomp consumer = new Stomp(b.ws("stomp"))) {
            consumer.subscribe("s", queue, "client-individual");
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Frame message = consumer.nextMessage();
                bodies.add(message.body());
                consumer.ack(message, i == 49 ? "acked" : null);
            }
            consumer.awaitReceipt("acked");
            for (int i = 0; i < 50; i++) {
                assertEquals("k" + i, bodies.get(i));
            }
        }
        try (Stomp again = new Stomp(a.ws("stomp"))) {
            again.subscribe("s", queue, "auto");
            assertTrue(again.nextMessageWithin(Duration.ofMillis(500)) == null, "acknowledged messages are gone");
        }
    }

    @Test
    void unacknowledgedMessagesOfAConsumerThatLeavesAreRedeliveredOnTheOtherNode() throws Exception {
        String queue = queue("redeliver");
        try (Stomp producer = new Stomp(a.ws("stomp"))) {
            for (int i = 0; i < 5; i++) {
                producer.send(queue, "u" + i, i == 4 ? "sent" : null);
            }
            producer.awaitReceipt("sent");
        }
        Stomp leaving = new Stomp(b.ws("stomp"));
        leaving.subscribe("s", queue, "client-individual");
        Frame first = leaving.nextMessage();
        assertEquals("u0", first.body());
        assertFalse(first.headers().containsKey("redelivered"));
        leaving.close(); // never acknowledged
        try (Stomp stays = new Stomp(a.ws("stomp"))) {
            stays.subscribe("s", queue, "client-individual");
            Frame again = stays.nextMessage();
            assertEquals("u0", again.body());
            assertEquals("true", again.headers().get("redelivered"));
            assertEquals(first.headers().get("message-id"), again.headers().get("message-id"));
        }
    }

    @Test
    void aNackOnOneNodeGoesToAConsumerOnTheOther() throws Exception {
        String queue = queue("nack");
        try (Stomp onB = new Stomp(b.ws("stomp")); Stomp onA = new Stomp(a.ws("stomp"));
             Stomp producer = new Stomp(a.ws("stomp"))) {
            onB.subscribe("s", queue, "client-individual");
            producer.send(queue, "n0", "r");
            producer.awaitReceipt("r");
            Frame got = onB.nextMessage();
            onA.subscribe("s", queue, "client-individual");
            onA.awaitReceipt("sub-s");
            onB.nack(got);
            Frame redelivered = onA.nextMessage();
            assertEquals("n0", redelivered.body());
            assertEquals("true", redelivered.headers().get("redelivered"));
        }
    }

    /**
     * The queue's home is a node in a process of its own, killed with SIGKILL while consumers on the
     * other two are taking the queue and a producer on one of them is still sending: every
     * receipted message arrives (those sent while the home was dying follow the queue to its next
     * home), and one that arrives twice is marked redelivered the second time.
     */
    @Test
    void killingTheQueuesHomeLosesNothingReceipted() throws Exception {
        String queue = queue("crash");
        int gridPort = GridNodes.freePort();
        Map<String, String> keys = keys(gridPort);
        keys.put("cluster.members", clusterMembers + ",127.0.0.1:" + gridPort);
        int before = 400;
        Set<String> receipted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (ServerProcess home = ServerProcess.start(keys)) {
            Await.until("three members", Duration.ofSeconds(90), () -> GridNodes.members(a.http("health")) == 3);
            try (Stomp producer = new Stomp(home.ws("stomp"))) {
                for (int i = 0; i < before; i++) {
                    producer.send(queue, "c" + i, i == before - 1 ? "all" : null);
                    receipted.add("c" + i);
                }
                producer.awaitReceipt("all");
            }
            try (Stomp onA = new Stomp(a.ws("stomp")); Stomp onB = new Stomp(b.ws("stomp"));
                 Stomp sender = new Stomp(a.ws("stomp"))) {
                onA.subscribe("s", queue, "client-individual", "10");
                onB.subscribe("s", queue, "client-individual", "10");
                Map<String, Integer> seen = new LinkedHashMap<>();
                List<String> problems = new ArrayList<>();
                Await.until("some consumed before the kill", Duration.ofSeconds(20), () -> {
                    consume(onA, seen, problems);
                    consume(onB, seen, problems);
                    return seen.size() >= 100;
                });
                // a producer on A sends on, one receipt per SEND, while the home dies
                for (int i = 0; i < 50; i++) {
                    sender.send(queue, "p" + i, "p" + i);
                }
                home.kill();
                for (int i = 50; i < 100; i++) {
                    sender.send(queue, "p" + i, "p" + i);
                }
                sender.awaitReceipt("p99");
                for (int i = 0; i < 100; i++) {
                    assertTrue(sender.hasReceipt("p" + i), "receipt p" + i);
                    receipted.add("p" + i);
                }
                Await.until("every receipted message after the kill", Duration.ofSeconds(60), () -> {
                    consume(onA, seen, problems);
                    consume(onB, seen, problems);
                    return seen.keySet().containsAll(receipted);
                });
                assertEquals(List.of(), problems);
                assertEquals(receipted, seen.keySet());
            }
        }
        Await.until("two members again", Duration.ofSeconds(30), () -> GridNodes.members(a.http("health")) == 2);
    }

    /**
     * A durable topic subscription made on node A collects the topic's messages sent on node B
     * while its client is away, and its client resumes on node B and gets them in order; UNSUBSCRIBE
     * with its name ends it everywhere.
     */
    @Test
    void aDurableSubscriptionCollectsWhileAwayAndResumesOnTheOtherNode() throws Exception {
        String topic = "/topic/orders" + System.nanoTime() % 1_000_000;
        String client = "durable-client-" + System.nanoTime() % 1_000_000;
        try (Stomp first = new Stomp(a.ws("stomp"), client)) {
            first.subscribeDurable("d", topic, "orders");
        }
        try (Stomp producer = new Stomp(b.ws("stomp"))) {
            for (int i = 0; i < 100; i++) {
                producer.send(topic, "o" + i, i == 99 ? "sent" : null);
            }
            producer.awaitReceipt("sent");
        }
        try (Stomp back = new Stomp(b.ws("stomp"), client)) {
            back.subscribeDurable("d", topic, "orders");
            for (int i = 0; i < 100; i++) {
                Frame message = back.nextMessage();
                assertEquals("o" + i, message.body());
                assertEquals(topic, message.headers().get("destination"));
                back.ack(message, i == 99 ? "acked" : null);
            }
            back.awaitReceipt("acked");
            back.send("UNSUBSCRIBE\nid:d\ndurable-subscription-name:orders\nreceipt:ended\n\n");
            back.awaitReceipt("ended");
        }
        try (Stomp producer = new Stomp(a.ws("stomp"))) {
            producer.send(topic, "after the end", "late");
            producer.awaitReceipt("late");
        }
        try (Stomp again = new Stomp(a.ws("stomp"), client)) {
            again.subscribeDurable("d", topic, "orders");
            assertTrue(again.nextMessageWithin(Duration.ofMillis(500)) == null, "an ended subscription kept nothing");
            again.send("UNSUBSCRIBE\nid:d\ndurable-subscription-name:orders\nreceipt:ended\n\n");
            again.awaitReceipt("ended");
        }
    }

    /** One durable subscription, one client at a time, whichever nodes they are on. */
    @Test
    void aDurableSubscriptionInUseOnOneNodeIsRefusedOnTheOther() throws Exception {
        String topic = "/topic/single" + System.nanoTime() % 1_000_000;
        String client = "single-" + System.nanoTime() % 1_000_000;
        try (Stomp holder = new Stomp(a.ws("stomp"), client); Stomp second = new Stomp(b.ws("stomp"), client)) {
            holder.subscribeDurable("d", topic, "one");
            second.sendSubscribeDurable("d", topic, "one");
            Frame error = second.nextFrameRaw();
            assertEquals("ERROR", error.command());
            assertTrue(error.headers().get("message").contains("in use"), String.valueOf(error));
        }
    }

    /**
     * The durable subscription's home is killed with SIGKILL while its client is away and the topic
     * goes on: the oldest node takes it over, reads the topic's log from where the home had got,
     * and the client, back on another node, gets every message in order — one it may have had
     * already comes marked redelivered.
     */
    @Test
    void killingADurableSubscriptionsHomeLosesNoneOfItsMessages() throws Exception {
        String topic = "/topic/survives" + System.nanoTime() % 1_000_000;
        String client = "survivor-" + System.nanoTime() % 1_000_000;
        int gridPort = GridNodes.freePort();
        Map<String, String> keys = keys(gridPort);
        keys.put("cluster.members", clusterMembers + ",127.0.0.1:" + gridPort);
        try (ServerProcess home = ServerProcess.start(keys)) {
            Await.until("three members", Duration.ofSeconds(90), () -> GridNodes.members(a.http("health")) == 3);
            try (Stomp first = new Stomp(home.ws("stomp"), client)) {
                first.subscribeDurable("d", topic, "kept");
            }
            try (Stomp producer = new Stomp(a.ws("stomp"))) {
                for (int i = 0; i < 50; i++) {
                    producer.send(topic, "t" + i, i == 49 ? "half" : null);
                }
                producer.awaitReceipt("half");
                home.kill();
                for (int i = 50; i < 100; i++) {
                    producer.send(topic, "t" + i, i == 99 ? "all" : null);
                }
                producer.awaitReceipt("all");
            }
            Await.until("two members", Duration.ofSeconds(30), () -> GridNodes.members(a.http("health")) == 2);
            try (Stomp back = new Stomp(b.ws("stomp"), client)) {
                back.subscribeDurable("d", topic, "kept");
                List<String> bodies = new ArrayList<>();
                Set<String> distinct = new HashSet<>();
                while (distinct.size() < 100) {
                    Frame message = back.nextMessage();
                    if (!distinct.add(message.body())) {
                        assertEquals("true", message.headers().get("redelivered"), "a second copy of " + message.body());
                    } else {
                        bodies.add(message.body());
                    }
                    back.ack(message, null);
                }
                for (int i = 0; i < 100; i++) {
                    assertEquals("t" + i, bodies.get(i), "in the topic's order");
                }
                back.send("UNSUBSCRIBE\nid:d\ndurable-subscription-name:kept\nreceipt:ended\n\n");
                back.awaitReceipt("ended");
            }
        }
    }

    /**
     * The queue's home is paused (SIGSTOP) longer than the grid waits for a silent member: the
     * others take the queue over and go on. When it runs again it comes back into the grid after
     * the split, gives the queue up and sends its producers' messages to the home the grid names
     * now — nothing stays behind in what it ran before.
     */
    @Test
    void aPausedHomeThatComesBackGivesItsQueueUp() throws Exception {
        String queue = queue("paused");
        int gridPort = GridNodes.freePort();
        Map<String, String> keys = keys(gridPort);
        keys.put("cluster.members", clusterMembers + ",127.0.0.1:" + gridPort);
        try (ServerProcess home = ServerProcess.start(keys)) {
            Await.until("three members", Duration.ofSeconds(90), () -> GridNodes.members(a.http("health")) == 3);
            try (Stomp producer = new Stomp(home.ws("stomp"))) {
                for (int i = 0; i < 20; i++) {
                    producer.send(queue, "before" + i, i == 19 ? "before" : null);
                }
                producer.awaitReceipt("before");
            }
            try (Stomp consumer = new Stomp(a.ws("stomp")); Stomp onA = new Stomp(a.ws("stomp"))) {
                consumer.subscribe("s", queue, "client-individual");
                Map<String, Integer> seen = new LinkedHashMap<>();
                List<String> problems = new ArrayList<>();
                Await.until("the first consumed", Duration.ofSeconds(20), () -> {
                    consume(consumer, seen, problems);
                    return !seen.isEmpty();
                });
                home.pause();
                try {
                    Await.until("the paused node dropped", Duration.ofSeconds(30),
                            () -> GridNodes.members(a.http("health")) == 2);
                    for (int i = 0; i < 20; i++) {
                        onA.send(queue, "during" + i, i == 19 ? "during" : null);
                    }
                    onA.awaitReceipt("during");
                } finally {
                    home.resume();
                }
                Await.until("the node back in the grid", Duration.ofSeconds(60),
                        () -> GridNodes.members(a.http("health")) == 3 && GridNodes.members(home.http("health")) == 3);
                try (Stomp producer = new Stomp(home.ws("stomp"))) {
                    for (int i = 0; i < 20; i++) {
                        producer.send(queue, "after" + i, i == 19 ? "after" : null);
                    }
                    producer.awaitReceipt("after");
                }
                Await.until("every receipted message", Duration.ofSeconds(60), () -> {
                    consume(consumer, seen, problems);
                    return seen.size() >= 60;
                });
                assertEquals(List.of(), problems);
                for (String phase : List.of("before", "during", "after")) {
                    for (int i = 0; i < 20; i++) {
                        assertTrue(seen.containsKey(phase + i), phase + i);
                    }
                }
            }
        }
    }

    /** Acknowledges what arrived; a body seen before must come marked redelivered. */
    private static void consume(Stomp consumer, Map<String, Integer> seen, List<String> problems) {
        for (Frame message : consumer.drainMessages()) {
            int times = seen.merge(message.body(), 1, Integer::sum);
            if (times > 1 && !"true".equals(message.headers().get("redelivered"))) {
                problems.add(message.body() + " came again without redelivered:true");
            }
            consumer.ack(message, null);
        }
    }

    /** One STOMP frame. */
    record Frame(String command, Map<String, String> headers, String body) {
        static Frame parse(String wire) {
            int end = wire.indexOf("\n\n");
            String[] lines = wire.substring(0, end).split("\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.putIfAbsent(lines[i].substring(0, colon), lines[i].substring(colon + 1));
            }
            return new Frame(lines[0], headers, wire.substring(end + 2));
        }
    }

    /** A raw STOMP 1.2 connection over the JDK's WebSocket client. */
    static final class Stomp implements AutoCloseable {
        private final WsClient ws;
        private final List<Frame> pending = new ArrayList<>();
        private final Set<String> receipts = new HashSet<>();

        Stomp(URI uri) throws InterruptedException {
            this(uri, null);
        }

        Stomp(URI uri, String clientId) throws InterruptedException {
            ws = WsClient.connect(uri);
            ws.sendText("CONNECT\naccept-version:1.2\nhost:x\n" + (clientId == null ? "" : "client-id:" + clientId + "\n")
                    + "\n\0");
            Frame connected = nextFrame(Duration.ofSeconds(10));
            assertEquals("CONNECTED", connected.command(), String.valueOf(connected));
        }

        void subscribe(String id, String queue, String ack) throws InterruptedException {
            subscribe(id, queue, ack, null);
        }

        void subscribe(String id, String queue, String ack, String prefetch) throws InterruptedException {
            ws.sendText("SUBSCRIBE\nid:" + id + "\ndestination:" + queue + "\nack:" + ack + "\nreceipt:sub-" + id + "\n"
                    + (prefetch == null ? "" : "prefetch-count:" + prefetch + "\n") + "\n\0");
            awaitReceipt("sub-" + id);
        }

        void subscribeDurable(String id, String topic, String name) throws InterruptedException {
            sendSubscribeDurable(id, topic, name);
            awaitReceipt("sub-" + id);
        }

        void sendSubscribeDurable(String id, String topic, String name) {
            ws.sendText("SUBSCRIBE\nid:" + id + "\ndestination:" + topic + "\nack:client-individual\n"
                    + "durable-subscription-name:" + name + "\nreceipt:sub-" + id + "\n\n\0");
        }

        /** Any frame as it comes, an ERROR included. */
        Frame nextFrameRaw() throws InterruptedException {
            Frame frame = nextFrame(Duration.ofSeconds(20));
            if (frame == null) {
                throw new AssertionError("no frame");
            }
            return frame;
        }

        void send(String frame) {
            ws.sendText(frame + "\0");
        }

        void send(String queue, String body, String receipt) {
            ws.sendText("SEND\ndestination:" + queue + "\n" + (receipt == null ? "" : "receipt:" + receipt + "\n")
                    + "\n" + body + "\0");
        }

        void ack(Frame message, String receipt) {
            ws.sendText("ACK\nid:" + message.headers().get("ack") + "\n" + (receipt == null ? "" : "receipt:" + receipt
                    + "\n") + "\n\0");
        }

        void nack(Frame message) {
            ws.sendText("NACK\nid:" + message.headers().get("ack") + "\n\n\0");
        }

        void awaitReceipt(String id) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!receipts.contains(id)) {
                Frame frame = nextFrame(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (frame == null) {
                    throw new AssertionError("no RECEIPT " + id);
                }
                keep(frame);
            }
        }

        boolean hasReceipt(String id) {
            return receipts.contains(id);
        }

        Frame nextMessage() throws InterruptedException {
            Frame message = nextMessageWithin(Duration.ofSeconds(20));
            if (message == null) {
                throw new AssertionError("no MESSAGE");
            }
            return message;
        }

        Frame nextMessageWithin(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (pending.isEmpty()) {
                Frame frame = nextFrame(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (frame == null) {
                    return null;
                }
                keep(frame);
            }
            return pending.remove(0);
        }

        /** The MESSAGE frames that have arrived, without waiting. */
        List<Frame> drainMessages() {
            while (!split.isEmpty()) {
                keep(split.remove(0));
            }
            for (WsClient.Message message : ws.drain()) {
                for (Frame frame : split(message.text())) {
                    keep(frame);
                }
            }
            List<Frame> all = new ArrayList<>(pending);
            pending.clear();
            return all;
        }

        private void keep(Frame frame) {
            switch (frame.command()) {
                case "MESSAGE" -> pending.add(frame);
                case "RECEIPT" -> receipts.add(frame.headers().get("receipt-id"));
                case "ERROR" -> throw new AssertionError("ERROR " + frame);
                default -> throw new AssertionError("unexpected " + frame);
            }
        }

        private final List<Frame> split = new ArrayList<>();

        private Frame nextFrame(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (split.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                WsClient.Message message;
                try {
                    message = ws.next(Duration.ofNanos(left));
                } catch (AssertionError timedOut) {
                    return null;
                }
                split.addAll(split(message.text()));
            }
            return split.remove(0);
        }

        private static List<Frame> split(String text) {
            List<Frame> frames = new ArrayList<>();
            for (String part : text.split("\0")) {
                String trimmed = part.replaceFirst("^\n+", "");
                if (!trimmed.isEmpty()) {
                    frames.add(Frame.parse(trimmed));
                }
            }
            return frames;
        }

        @Override
        public void close() {
            ws.close();
        }
    }
}
