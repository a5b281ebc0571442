package dev.switchboard.bus;

import java.time.Duration;
import java.util.function.LongSupplier;

/** Buses for tests of the cores: deliveries run on the publisher's thread, so tests need no waiting. */
public final class TestBuses {

    public static final Retention KEEP_100 = new Retention(100, Long.MAX_VALUE, Duration.ofMinutes(2), 10,
            Duration.ofMinutes(2), new LogBudget("test", Long.MAX_VALUE));

    private TestBuses() {
    }

    /** A bus whose every channel keeps {@code retention}; deliveries inline. */
    public static LocalBus direct(Retention retention, LongSupplier nanoTime) {
        return new LocalBus(name -> retention, Runnable::run, null, 0, nanoTime);
    }

    public static LocalBus direct(Retention retention) {
        return direct(retention, System::nanoTime);
    }

    public static FanOut fanOut(MessageBus bus) {
        return new FanOut(bus, Runnable::run, 2);
    }
}
