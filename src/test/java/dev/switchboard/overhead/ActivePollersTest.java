package dev.switchboard.overhead;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ActivePollersTest {

    @Test
    void pollersCountWhileTheirLastPollIsRecent() {
        AtomicLong now = new AtomicLong();
        ActivePollers pollers = new ActivePollers(3_000, 100, now::get);
        pollers.polled("a");
        pollers.polled("b");
        now.set(2_000);
        pollers.polled("a");
        assertEquals(2, pollers.count());
        now.set(4_000);
        assertEquals(1, pollers.count(), "b went quiet");
        now.set(6_000);
        assertEquals(0, pollers.count());
    }

    @Test
    void pollersAreTrackedUpToABound() {
        AtomicLong now = new AtomicLong();
        ActivePollers pollers = new ActivePollers(3_000, 2, now::get);
        pollers.polled("a");
        pollers.polled("b");
        pollers.polled("c");
        assertEquals(2, pollers.count());
        now.set(5_000);
        pollers.polled("c");
        assertEquals(1, pollers.count(), "room again once the others expired");
    }
}
