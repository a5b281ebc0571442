package dev.switchboard.broker;

import dev.switchboard.broker.store.JournalStore;
import dev.switchboard.broker.store.MessageStore;
import dev.switchboard.broker.store.StoreSettings;
import dev.switchboard.bus.Delivery;
import dev.switchboard.bus.LocalBus;
import dev.switchboard.bus.TestBuses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The broker core on a real store (Artemis's journal in a temp folder), restarted by closing and opening it. */
class BrokerStoreTest {

    @TempDir
    Path folder;

    private final List<JournalStore> stores = new ArrayList<>();

    @AfterEach
    void close() {
        stores.forEach(JournalStore::close);
    }

    private Broker broker(int queueDepth) throws Exception {
        JournalStore store = new JournalStore(StoreSettings.defaults(folder).withFileBytes(StoreSettings.MIN_FILE_BYTES));
        stores.add(store);
        LocalBus bus = TestBuses.direct(TestBuses.KEEP_100);
        return new Broker(bus, TestBuses.fanOut(bus), new BrokerSettings(queueDepth, 1 << 20, 100, 64 << 20), store,
                Duration.ZERO, System::nanoTime);
    }

    /** Closes the store as a shutdown would; the next {@link #broker} reads it back. */
    private void restart() {
        stores.remove(stores.size() - 1).close();
    }

    private static final class Collected implements Subscriber {
        final List<String> bodies = new ArrayList<>();
        final List<Boolean> redelivered = new ArrayList<>();
        final List<Message> messages = new ArrayList<>();

        @Override
        public synchronized void deliver(Message message, boolean again, Delivery shared) {
            messages.add(message);
            bodies.add(new String(message.body(), StandardCharsets.UTF_8));
            redelivered.add(again);
        }

        @Override
        public void refused(BrokerException reason) {
            throw new AssertionError(reason);
        }
    }

    private static Message message(String destination, String body, boolean persistent) {
        return new Message(destination, "id-" + body, List.of(Map.entry("k", "v")), body.getBytes(StandardCharsets.UTF_8),
                persistent);
    }

    private static SubscriptionRequest queue(String key, String destination, AckMode ack) {
        return new SubscriptionRequest(key, destination, ack, 0, null, null, null, null);
    }

    @Test
    void persistentQueueMessagesComeBackAfterARestartWithTheirHeadersAndPlainOnesDoNot() throws Exception {
        Broker broker = broker(100);
        broker.send(message("/queue/a", "kept", true));
        broker.send(message("/queue/a", "memory", false));
        restart();
        Broker again = broker(100);
        Collected consumer = new Collected();
        again.subscribe(queue("c", "/queue/a", AckMode.AUTO), consumer);
        assertEquals(List.of("kept"), consumer.bodies);
        assertEquals("v", consumer.messages.get(0).header("k"));
        assertEquals("id-kept", consumer.messages.get(0).id());
    }

    @Test
    void aDeliveredUnackedMessageComesBackRedeliveredAndAnAckedOneNever() throws Exception {
        Broker broker = broker(100);
        for (String body : List.of("one", "two", "three")) {
            broker.send(message("/queue/b", body, true));
        }
        Collected consumer = new Collected();
        broker.subscribe(queue("c", "/queue/b", AckMode.CLIENT_INDIVIDUAL), consumer);
        broker.ack("c", "id-two", true);
        restart();
        Broker again = broker(100);
        Collected next = new Collected();
        again.subscribe(queue("n", "/queue/b", AckMode.AUTO), next);
        assertEquals(List.of("one", "three"), next.bodies);
        assertEquals(List.of(true, true), next.redelivered, "both were handed out before the restart");
        restart();
        Collected none = new Collected();
        broker(100).subscribe(queue("z", "/queue/b", AckMode.AUTO), none);
        assertEquals(List.of(), none.bodies, "delivered with ack auto: gone from the store");
    }

    @Test
    void aCommitIsAllOrNothingAgainstTheQueuesBounds() throws Exception {
        Broker broker = broker(1);
        broker.send(message("/queue/full", "first", true));
        BrokerException e = assertThrows(BrokerException.class, () -> broker.commit(List.of(
                message("/queue/free", "a", true), message("/queue/full", "b", true)), List.of(), true));
        assertEquals("queue-full", e.code());
        restart();
        Broker again = broker(1);
        Collected free = new Collected();
        again.subscribe(queue("f", "/queue/free", AckMode.AUTO), free);
        assertEquals(List.of(), free.bodies, "the half that had room was not sent either");
    }

    @Test
    void aDurableSubscriptionAndItsPersistentBacklogSurviveARestartAndEndForGood() throws Exception {
        Broker broker = broker(100);
        Collected first = new Collected();
        SubscriptionRequest durable = new SubscriptionRequest("d1", "/topic/t", AckMode.AUTO, 0,
                Selector.parse("n > 1"), "app", "audit", null);
        broker.subscribe(durable, first);
        broker.unsubscribe("d1");
        for (int i = 1; i <= 4; i++) {
            broker.send(new Message("/topic/t", "m" + i, List.of(Map.entry("n", "" + i)), ("m" + i).getBytes(), i != 4));
        }
        restart();
        Broker again = broker(100);
        assertEquals(1, again.page(0, 10).durables().size());
        assertEquals(2, again.page(0, 10).durables().get(0).backlog(), "m2, m3: persistent and selected (m4 was not persistent)");
        Collected back = new Collected();
        again.subscribe(new SubscriptionRequest("d2", "/topic/t", AckMode.AUTO, 0, Selector.parse("n > 1"), "app",
                "audit", null), back);
        assertEquals(List.of("m2", "m3"), back.bodies);
        again.unsubscribe("d2");
        again.endDurable("app", "audit");
        restart();
        assertEquals(0, broker(100).page(0, 10).durables().size(), "ended for good");
    }

    @Test
    void aPersistentMessageTooLargeForTheJournalIsRefusedAsALimit() throws Exception {
        Broker broker = broker(100);
        BrokerException e = assertThrows(BrokerException.class,
                () -> broker.send(message("/queue/big", "x".repeat(200_000), true)));
        assertEquals("too-large-to-store", e.code());
        broker.send(message("/queue/big", "x".repeat(200_000), false)); // in memory it may be
        assertTrue(broker.storeProblem() == null, "the store is fine");
    }

    @Test
    void contentRoundTripsThroughTheStoresEncoding() throws Exception {
        Message original = new Message("/queue/é", "id", List.of(Map.entry("a", "x".repeat(70_000)), Map.entry("b", "")),
                new byte[] {0, 1, 2, (byte) 255}, true);
        Message back = MessageCodec.decode(MessageCodec.encode(original));
        assertEquals(original.destination(), back.destination());
        assertEquals(original.headers(), back.headers());
        assertArrayEquals(original.body(), back.body());
        assertThrows(java.io.IOException.class, () -> MessageCodec.decode(new byte[] {9, 9}));
        MessageStore.Batch unused = new MessageStore.Batch();
        assertTrue(unused.isEmpty());
    }
}
