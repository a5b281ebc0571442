package dev.switchboard.bus;

import dev.switchboard.connection.Broadcast;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class LocalBusTest {

    private final LocalBus bus = new LocalBus();

    @Test
    void everySubscriberOfTheChannelGetsTheSameMessageObject() {
        List<Broadcast> a = new ArrayList<>();
        List<Broadcast> b = new ArrayList<>();
        List<Broadcast> other = new ArrayList<>();
        bus.subscribe("room", "a", a::add);
        bus.subscribe("room", "b", b::add);
        bus.subscribe("elsewhere", "c", other::add);
        Broadcast message = Broadcast.text("hi");
        bus.publish("room", message);
        assertSame(message, a.get(0));
        assertSame(message, b.get(0), "encoded once, shared");
        assertEquals(0, other.size());
    }

    @Test
    void exceptKeySkipsOneSubscriber() {
        List<Broadcast> a = new ArrayList<>();
        List<Broadcast> b = new ArrayList<>();
        bus.subscribe("room", "a", a::add);
        bus.subscribe("room", "b", b::add);
        bus.publish("room", Broadcast.textExcept("typing", "a"));
        assertEquals(0, a.size());
        assertEquals(1, b.size());
    }

    @Test
    void closedSubscriptionGetsNothingAndEmptyChannelsGo() {
        List<Broadcast> a = new ArrayList<>();
        MessageBus.Subscription subscription = bus.subscribe("room", "a", a::add);
        assertEquals(1, bus.subscribers("room"));
        subscription.close();
        bus.publish("room", Broadcast.text("hi"));
        assertEquals(0, a.size());
        assertEquals(0, bus.subscribers("room"));
    }

    @Test
    void textSizeIsItsUtf8Length() {
        assertEquals(4, Broadcast.Text.of("h€").bytes());
    }
}
