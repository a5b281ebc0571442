package dev.switchboard.overhead;

import dev.switchboard.bus.ChannelEvent;
import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.MessageBus;
import dev.switchboard.connection.Broadcast;
import dev.switchboard.ops.DaemonThreads;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The overhead demo's heart: once a second the ticker moves, the quote is encoded once, kept for
 * pollers and published to every WebSocket subscriber; then the wire counts of both transports
 * go to the pages that asked for them. Owns its scheduler; {@link #close()} stops it.
 */
public final class TickerFeed implements AutoCloseable {

    /** Bus channel of the quotes (every ticker socket) and of the stats (sockets that asked). */
    public static final String QUOTES = "overhead:quotes";
    public static final String STATS = "overhead:stats";

    /** A quote or the stats, encoded once where they are made (they are this feature's own JSON). */
    record Update(Broadcast.Text json) implements ChannelEvent {
        @Override
        public boolean retained() {
            return false;
        }

        @Override
        public long bytes() {
            return json.bytes();
        }
    }

    /** One quote a second, as in the book's polling example: one request per second per client. */
    public static final long INTERVAL_MILLIS = 1000;

    /** A poller is active while its last poll is younger than three intervals. */
    private static final long POLLER_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(3 * INTERVAL_MILLIS);
    private static final int MAX_TRACKED_POLLERS = 100_000;

    private final PriceTicker ticker;
    private final MessageBus bus;
    private final FanOut fanOut;
    private final LongSupplier clock;
    private final WireBytes polling = new WireBytes();
    private final WireBytes pushing = new WireBytes();
    private final ActivePollers pollers;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("switchboard-overhead-ticker"));
    private volatile Broadcast.Text latest;

    public TickerFeed(PriceTicker ticker, MessageBus bus, FanOut fanOut, LongSupplier clock, LongSupplier nanoClock) {
        this.ticker = ticker;
        this.bus = bus;
        this.fanOut = fanOut;
        this.clock = clock;
        this.pollers = new ActivePollers(POLLER_WINDOW_NANOS, MAX_TRACKED_POLLERS, nanoClock);
        this.latest = Broadcast.Text.of(ticker.latest().json());
    }

    /** Starts ticking every {@link #INTERVAL_MILLIS}. */
    public TickerFeed start() {
        scheduler.scheduleAtFixedRate(this::tickSafely, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    /** One tick: the next quote to every subscriber (encoded once), then the stats to those who asked. */
    void tick() {
        Broadcast.Text quote = Broadcast.Text.of(ticker.next().json());
        latest = quote;
        bus.publish(QUOTES, new Update(quote));
        if (fanOut.receivers(STATS) > 0) {
            bus.publish(STATS, new Update(Broadcast.Text.of(statsJson())));
        }
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            // a failed tick must not cancel the schedule (an uncaught exception would)
            java.util.logging.Logger.getLogger(TickerFeed.class.getName())
                    .log(java.util.logging.Level.WARNING, "ticker tick failed", e);
        }
    }

    /** The latest quote, already encoded (what a poll answers). */
    public Broadcast.Text latest() {
        return latest;
    }

    public WireBytes polling() {
        return polling;
    }

    public WireBytes pushing() {
        return pushing;
    }

    public ActivePollers pollers() {
        return pollers;
    }

    public int webSocketClients() {
        return fanOut.receivers(QUOTES);
    }

    public String statsJson() {
        return OverheadStats.json(clock.getAsLong(), polling.totals(), pollers.count(), pushing.totals(),
                webSocketClients());
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
