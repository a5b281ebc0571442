package dev.switchboard.stomp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** prefetch-count, selector and durable topic subscriptions, against the broker core without a server. */
class StompFlowSelectorDurableTest {

    private final StompBroker broker = TestBrokers.direct(new StompSettings(64 * 1024, 32, 1024, 50, 0, 0));

    @AfterEach
    void stop() {
        broker.close();
    }

    private TestStompClient client() throws StompException {
        return TestStompClient.connected(broker, null);
    }

    private static void send(TestStompClient sender, String destination, int count, String headers) throws StompException {
        StringBuilder frames = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            frames.append("SEND\ndestination:").append(destination).append('\n')
                    .append(headers.isEmpty() ? "" : headers.replace("$i", "" + i) + "\n").append("\n").append(i).append("^@");
        }
        sender.in(frames.toString());
    }

    // ---- prefetch-count ----

    @Test
    void aQueueSubscriptionHasAtMostPrefetchMessagesOutstandingAndTheRestGoElsewhere() throws Exception {
        TestStompClient slow = client();
        slow.in("SUBSCRIBE\nid:s\ndestination:/queue/work\nack:client-individual\nprefetch-count:2\n\n^@");
        send(client(), "/queue/work", 5, "");
        assertEquals(List.of("1", "2"), slow.bodies(), "two outstanding, three waiting");
        TestStompClient other = client();
        other.in("SUBSCRIBE\nid:o\ndestination:/queue/work\n\n^@");
        assertEquals(List.of("3", "4", "5"), other.bodies(), "the waiting ones go to a consumer with room");
        slow.ack(slow.messages().get(0));
        send(client(), "/queue/work", 2, "");
        assertEquals(3, slow.bodies().size(), "one ACK made room for exactly one more");
    }

    @Test
    void aTopicSubscriptionWithPrefetchHoldsBackTheRestInOrderUntilItAcks() throws Exception {
        TestStompClient reader = client();
        reader.in("SUBSCRIBE\nid:t\ndestination:/topic/news\nack:client\nprefetch-count:3\n\n^@");
        send(client(), "/topic/news", 7, "");
        assertEquals(List.of("1", "2", "3"), reader.bodies());
        reader.ack(reader.messages().get(2)); // "client": up to and with the third
        assertEquals(List.of("1", "2", "3", "4", "5", "6"), reader.bodies());
        reader.ack(reader.messages().get(5));
        assertEquals(List.of("1", "2", "3", "4", "5", "6", "7"), reader.bodies(), "in the topic's order, none lost");
    }

    @Test
    void prefetchNeedsAnAckingModeAndAPositiveNumber() throws Exception {
        assertEquals(1002, assertThrows(StompException.class, () -> client()
                .in("SUBSCRIBE\nid:a\ndestination:/queue/q\nprefetch-count:5\n\n^@")).closeCode());
        for (String bad : List.of("0", "-1", "many", "99999999999")) {
            StompException e = assertThrows(StompException.class, () -> client()
                    .in("SUBSCRIBE\nid:a\ndestination:/queue/q\nack:client\nprefetch-count:" + bad + "\n\n^@"));
            assertTrue(e.getMessage().contains("prefetch-count"), e.getMessage());
        }
    }

    // ---- selector ----

    @Test
    void aQueueSelectorTakesOnlyMatchingMessagesAndLeavesTheOthersForOthers() throws Exception {
        TestStompClient red = client();
        red.in("SUBSCRIBE\nid:r\ndestination:/queue/paint\nselector:colour = 'red' AND size > 5\n\n^@");
        TestStompClient sender = client();
        sender.in("SEND\ndestination:/queue/paint\ncolour:red\nsize:10\n\nbig red^@"
                + "SEND\ndestination:/queue/paint\ncolour:red\nsize:2\n\nsmall red^@"
                + "SEND\ndestination:/queue/paint\ncolour:blue\nsize:10\n\nbig blue^@");
        assertEquals(List.of("big red"), red.bodies(), "size compares as a number: 10 > 5, and 2 is not");
        TestStompClient any = client();
        any.in("SUBSCRIBE\nid:a\ndestination:/queue/paint\n\n^@");
        assertEquals(List.of("small red", "big blue"), any.bodies(), "the others waited, in order");
    }

    @Test
    void aTopicSelectorFiltersWithInLikeIsNullAndHyphenatedHeaders() throws Exception {
        TestStompClient reader = client();
        reader.in("SUBSCRIBE\nid:t\ndestination:/topic/logs\nselector:(level IN ('WARN','ERROR') OR app LIKE 'pay%')"
                + " AND trace IS NULL AND (content-type IS NULL OR content-type <> 'application/octet-stream')\n\n^@");
        TestStompClient sender = client();
        sender.in("SEND\ndestination:/topic/logs\nlevel:WARN\n\nw^@"
                + "SEND\ndestination:/topic/logs\nlevel:INFO\napp:payments\n\np^@"
                + "SEND\ndestination:/topic/logs\nlevel:INFO\napp:search\n\ns^@"
                + "SEND\ndestination:/topic/logs\nlevel:ERROR\ntrace:1\n\ntraced^@"
                + "SEND\ndestination:/topic/logs\nlevel:ERROR\ncontent-type:application/octet-stream\n\nbinary^@");
        assertEquals(List.of("w", "p"), reader.bodies(), "a missing header is NULL: it never equals nor differs");
    }

    @Test
    void aSelectorThatDoesNotParseIsAProtocolError() {
        StompException e = assertThrows(StompException.class, () -> client()
                .in("SUBSCRIBE\nid:t\ndestination:/topic/x\nreceipt:r\nselector:colour = = 'red'\n\n^@"));
        assertEquals(1002, e.closeCode());
        assertEquals("r", e.receiptId());
        assertTrue(e.getMessage().contains("selector"), e.getMessage());
    }

    // ---- durable subscriptions ----

    @Test
    void aDurableSubscriberAwayGetsWhatWasPublishedMeanwhileInOrder() throws Exception {
        TestStompClient first = TestStompClient.connected(broker, "app-1");
        first.in("SUBSCRIBE\nid:d\ndestination:/topic/orders\ndurable-subscription-name:audit\nack:client-individual\n\n^@");
        TestStompClient sender = client();
        send(sender, "/topic/orders", 2, "");
        assertEquals(List.of("1", "2"), first.bodies());
        first.ack(first.messages().get(0));
        first.session.closed(); // away: "2" was not acked, so it comes back
        send(sender, "/topic/orders", 40, "n:$i");
        TestStompClient back = TestStompClient.connected(broker, "app-1");
        back.in("SUBSCRIBE\nid:d2\ndestination:/topic/orders\ndurable-subscription-name:audit\n\n^@");
        List<String> expected = new ArrayList<>(List.of("2"));
        for (int i = 1; i <= 40; i++) {
            expected.add("" + i);
        }
        assertEquals(expected, back.bodies());
        assertEquals("true", back.messages().get(0).header("redelivered"));
        assertFalse(back.messages().get(1).headers().stream().anyMatch(h -> h.getKey().equals("redelivered")));
        assertEquals("/topic/orders", back.messages().get(1).header("destination"));
    }

    @Test
    void aDurableSubscriptionEndsForGoodOnlyWithItsName() throws Exception {
        TestStompClient c = TestStompClient.connected(broker, "app-2");
        c.in("SUBSCRIBE\nid:d\ndestination:/topic/t\ndurable-subscription-name:keep\n\n^@UNSUBSCRIBE\nid:d\n\n^@");
        send(client(), "/topic/t", 3, "");
        assertEquals(1, broker.page(0, 10).durables().size(), "plain UNSUBSCRIBE: away, and keeping");
        assertEquals(3, broker.page(0, 10).durables().get(0).backlog());
        c.in("UNSUBSCRIBE\ndurable-subscription-name:keep\n\n^@");
        assertEquals(0, broker.page(0, 10).durables().size());
        c.in("SUBSCRIBE\nid:d\ndestination:/topic/t\ndurable-subscription-name:keep\n\n^@");
        assertEquals(List.of(), c.bodies(), "a new subscription: what the old one kept is gone");
    }

    @Test
    void aDurableSubscriptionIsOneClientsAtATime() throws Exception {
        TestStompClient.connected(broker, "app-3")
                .in("SUBSCRIBE\nid:d\ndestination:/topic/t\ndurable-subscription-name:n\n\n^@");
        StompException e = assertThrows(StompException.class, () -> TestStompClient.connected(broker, "app-3")
                .in("SUBSCRIBE\nid:d\ndestination:/topic/t\ndurable-subscription-name:n\n\n^@"));
        assertEquals(1008, e.closeCode());
        assertEquals("durable-in-use", e.code());
    }

    @Test
    void aDurableSubscriptionNeedsAClientIdAndATopic() {
        StompException noClientId = assertThrows(StompException.class, () -> client()
                .in("SUBSCRIBE\nid:d\ndestination:/topic/t\ndurable-subscription-name:n\n\n^@"));
        assertTrue(noClientId.getMessage().contains("client-id"));
        StompException queue = assertThrows(StompException.class, () -> TestStompClient.connected(broker, "c")
                .in("SUBSCRIBE\nid:d\ndestination:/queue/q\ndurable-subscription-name:n\n\n^@"));
        assertEquals(1002, queue.closeCode());
    }

    @Test
    void anAwayDurableSubscriptionIsBoundedAndASendPastItIsRefusedNamingIt() throws Exception {
        TestStompClient.connected(broker, "app-4")
                .in("SUBSCRIBE\nid:d\ndestination:/topic/full\ndurable-subscription-name:slow\n\n^@UNSUBSCRIBE\nid:d\n\n^@");
        TestStompClient sender = client();
        send(sender, "/topic/full", 50, ""); // stomp.queue-depth is 50 here
        StompException e = assertThrows(StompException.class, () -> send(sender, "/topic/full", 1, ""));
        assertEquals("queue-full", e.code());
        assertTrue(e.getMessage().contains("slow"), e.getMessage());
    }

    @Test
    void aDurableSubscriptionsSelectorDecidesWhatIsKeptForIt() throws Exception {
        TestStompClient c = TestStompClient.connected(broker, "app-5");
        c.in("SUBSCRIBE\nid:d\ndestination:/topic/s\ndurable-subscription-name:n\nselector:keep = 'yes'\n\n^@"
                + "UNSUBSCRIBE\nid:d\n\n^@");
        TestStompClient sender = client();
        sender.in("SEND\ndestination:/topic/s\nkeep:yes\n\na^@SEND\ndestination:/topic/s\nkeep:no\n\nb^@");
        c.in("SUBSCRIBE\nid:d\ndestination:/topic/s\ndurable-subscription-name:n\nselector:keep = 'yes'\n\n^@");
        assertEquals(List.of("a"), c.bodies());
    }
}
