package dev.switchboard.stomp;

import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.LocalBus;
import dev.switchboard.bus.TestBuses;

import java.util.concurrent.Executor;

/** Brokers for tests of the core: topic fan-out inline on the sender's thread, or on a given pool. */
final class TestBrokers {

    private TestBrokers() {
    }

    static StompBroker direct(StompSettings settings) {
        LocalBus bus = TestBuses.direct(TestBuses.KEEP_100);
        return new StompBroker(bus, TestBuses.fanOut(bus), settings);
    }

    static StompBroker pooled(StompSettings settings, Executor pool) {
        LocalBus bus = new LocalBus(name -> TestBuses.KEEP_100, pool, null, 0, System::nanoTime);
        return new StompBroker(bus, new FanOut(bus, pool, 4), settings);
    }
}
