package dev.switchboard.bus;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalBusTest {

    record Event(String text, boolean retained) implements ChannelEvent {
        @Override
        public long bytes() {
            return text.length();
        }
    }

    static Event kept(String text) {
        return new Event(text, true);
    }

    private final AtomicLong nanos = new AtomicLong();
    private final LogBudget budget = new LogBudget("test", Long.MAX_VALUE);

    private LocalBus bus(int maxEvents, long maxBytes, Duration ttl, int keep, Duration linger) {
        return TestBuses.direct(new Retention(maxEvents, maxBytes, ttl, keep, linger, budget), nanos::get);
    }

    private LocalBus bus() {
        return bus(100, Long.MAX_VALUE, Duration.ofMinutes(2), 0, Duration.ofMinutes(2));
    }

    private static List<String> texts(List<Sequenced> events) {
        return events.stream().map(e -> ((Event) e.event()).text()).toList();
    }

    @Test
    void retainedEventsAreNumberedOneByOneAndOthersCarryTheLatestOffset() {
        LocalBus bus = bus();
        bus.position("c");
        assertEquals(1, bus.publish("c", kept("a")).offset());
        Sequenced notice = bus.publish("c", new Event("typing", false));
        assertEquals(1, notice.offset());
        assertEquals(2, notice.seq());
        Sequenced b = bus.publish("c", kept("b"));
        assertEquals(2, b.offset());
        assertEquals(3, b.seq());
        assertEquals(new Position(b.epoch(), 2, 3), bus.position("c"));
        assertEquals(List.of("a", "b"), texts(bus.tail("c", 10, Long.MAX_VALUE)), "only retained events are kept");
    }

    @Test
    void publishingToAChannelNobodyAttachedToGoesNowhere() {
        LocalBus bus = bus();
        assertNull(bus.publish("nobody", kept("a")));
        assertFalse(bus.exists("nobody"));
    }

    @Test
    void listenerGetsEveryEventInOrderAndOnlyOneListenerPerChannel() {
        LocalBus bus = bus();
        List<Long> seen = new ArrayList<>();
        MessageBus.Subscription subscription = bus.subscribe("c", e -> seen.add(e.seq()));
        assertThrows(IllegalStateException.class, () -> bus.subscribe("c", e -> { }));
        bus.publish("c", kept("a"));
        bus.publish("c", new Event("x", false));
        subscription.close();
        bus.publish("c", kept("b"));
        assertEquals(List.of(1L, 2L), seen);
    }

    @Test
    void readAfterAnOffsetIsCompleteWhileEverythingAfterItIsHeld() {
        LocalBus bus = bus(3, Long.MAX_VALUE, Duration.ofMinutes(2), 0, Duration.ofMinutes(2));
        String epoch = bus.position("c").epoch();
        for (String text : List.of("a", "b", "c", "d", "e")) {
            bus.publish("c", kept(text));
        }
        LogRead fromTwo = bus.read("c", epoch, 2, 5);
        assertTrue(fromTwo.complete());
        assertEquals(List.of("c", "d", "e"), texts(fromTwo.events()));
        LogRead fromOne = bus.read("c", epoch, 1, 5);
        assertFalse(fromOne.complete(), "offset 2 is gone");
        assertTrue(bus.read("c", epoch, 5, 5).complete(), "nothing missed is complete too");
        assertEquals(List.of("c", "d"), texts(bus.read("c", epoch, 2, 4).events()), "up to the given offset only");
        assertFalse(bus.read("c", "other-epoch", 4, 5).complete());
        assertFalse(bus.read("c", epoch, 6, 5).complete(), "an offset from the future is not this log's");
        assertFalse(bus.read("c", epoch, -1, 5).complete());
    }

    @Test
    void eventsOlderThanTheTtlGoExceptTheNewestWhileSubscribed() {
        LocalBus bus = bus(100, Long.MAX_VALUE, Duration.ofSeconds(10), 2, Duration.ofMinutes(5));
        MessageBus.Subscription subscription = bus.subscribe("c", e -> { });
        for (String text : List.of("a", "b", "c")) {
            bus.publish("c", kept(text));
        }
        nanos.addAndGet(Duration.ofSeconds(11).toNanos());
        assertEquals(List.of("b", "c"), texts(bus.tail("c", 10, Long.MAX_VALUE)), "history stays with an occupied room");
        subscription.close();
        assertEquals(List.of(), texts(bus.tail("c", 10, Long.MAX_VALUE)), "not with an empty one");
    }

    @Test
    void aChannelOutlivesItsLastListenerByItsLingerThenItsEpochIsGone() {
        LocalBus bus = bus(100, Long.MAX_VALUE, Duration.ofSeconds(10), 0, Duration.ofSeconds(10));
        MessageBus.Subscription subscription = bus.subscribe("c", e -> { });
        String epoch = bus.position("c").epoch();
        bus.publish("c", kept("a"));
        subscription.close();
        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        bus.sweep();
        assertTrue(bus.read("c", epoch, 0, 1).complete(), "a member back within the linger recovers");
        nanos.addAndGet(Duration.ofSeconds(6).toNanos());
        bus.sweep();
        assertFalse(bus.exists("c"));
        assertNotEquals(epoch, bus.position("c").epoch(), "the log was lost: a new epoch");
        assertFalse(bus.read("c", epoch, 1, 0).complete());
    }

    @Test
    void aChannelsLogIsBoundedInBytes() {
        LocalBus bus = bus(100, 10, Duration.ofMinutes(2), 0, Duration.ofMinutes(2));
        bus.position("c");
        bus.publish("c", kept("aaaa"));
        bus.publish("c", kept("bbbb"));
        bus.publish("c", kept("cccc"));
        assertEquals(List.of("bbbb", "cccc"), texts(bus.tail("c", 10, Long.MAX_VALUE)));
        assertEquals(8, budget.usedBytes());
    }

    @Test
    void overTheSharedBudgetTheOldestEventOfAnyChannelGoesFirst() {
        LogBudget shared = new LogBudget("shared", 10);
        LocalBus bus = TestBuses.direct(new Retention(100, 100, Duration.ofMinutes(2), 0, Duration.ofMinutes(2), shared),
                nanos::get);
        bus.position("old");
        bus.position("new");
        bus.publish("old", kept("aaaa"));
        nanos.incrementAndGet();
        bus.publish("new", kept("bbbb"));
        nanos.incrementAndGet();
        bus.publish("new", kept("cccc"));
        assertEquals(List.of(), texts(bus.tail("old", 10, Long.MAX_VALUE)));
        assertEquals(List.of("bbbb", "cccc"), texts(bus.tail("new", 10, Long.MAX_VALUE)));
        assertEquals(1, shared.evictions());
        assertEquals(8, shared.usedBytes());
    }
}
