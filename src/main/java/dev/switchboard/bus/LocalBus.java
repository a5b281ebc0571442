package dev.switchboard.bus;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The in-process bus. A channel's lock covers only numbering and appending; delivery to its
 * listener runs on the channel's own {@link SerialExecutor} lane over the application's pool, so
 * every event reaches the listener once, in seq order, after the publisher has moved on. A sweep
 * ages logs out and forgets channels nobody has been attached to for their linger.
 */
public final class LocalBus implements MessageBus {

    private static final SecureRandom RANDOM = new SecureRandom();

    private record Held(Sequenced event, long bytes, long atNanos) {
    }

    private final class Channel {
        final String name;
        final String epoch = Long.toString(RANDOM.nextLong() >>> 1, 36);
        final Retention retention;
        final SerialExecutor lane = new SerialExecutor(pool);
        final ArrayDeque<Held> log = new ArrayDeque<>();
        long offset;
        long seq;
        long logBytes;
        Consumer<Sequenced> listener;
        long lastActiveNanos = nanoTime.getAsLong();
        /** The oldest held event's time, for the budget's oldest-first eviction; MAX_VALUE when none. */
        volatile long oldestNanos = Long.MAX_VALUE;
        boolean forgotten;

        Channel(String name) {
            this.name = name;
            this.retention = retentions.apply(name);
        }

        Position position() {
            return new Position(epoch, offset, seq);
        }

        void append(Sequenced event, long now) {
            long bytes = event.event().bytes();
            log.addLast(new Held(event, bytes, now));
            logBytes += bytes;
            retention.budget().add(bytes);
            trim(now);
        }

        void trim(long now) {
            long ttl = retention.ttl().toNanos();
            int keep = listener != null ? retention.keepWhileSubscribed() : 0;
            while (!log.isEmpty() && (log.size() > retention.maxEvents() || logBytes > retention.maxBytes()
                    || (log.size() > keep && now - log.peekFirst().atNanos() > ttl))) {
                dropOldest();
            }
            oldestNanos = log.isEmpty() ? Long.MAX_VALUE : log.peekFirst().atNanos();
        }

        void dropOldest() {
            Held dropped = log.removeFirst();
            logBytes -= dropped.bytes();
            retention.budget().release(dropped.bytes());
            oldestNanos = log.isEmpty() ? Long.MAX_VALUE : log.peekFirst().atNanos();
        }
    }

    private final ConcurrentMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final Function<String, Retention> retentions;
    private final Executor pool;
    private final LongSupplier nanoTime;
    private final ScheduledFuture<?> sweep;

    /**
     * @param retentions each channel's retention, by name (called once per channel)
     * @param pool       the application's bounded pool that deliveries run on
     * @param timers     runs the sweep every {@code sweepEveryMillis}; null for none (tests sweep by hand)
     */
    public LocalBus(Function<String, Retention> retentions, Executor pool, ScheduledExecutorService timers,
                    long sweepEveryMillis, LongSupplier nanoTime) {
        this.retentions = retentions;
        this.pool = pool;
        this.nanoTime = nanoTime;
        this.sweep = timers == null ? null
                : timers.scheduleWithFixedDelay(this::sweep, sweepEveryMillis, sweepEveryMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public Sequenced publish(String name, ChannelEvent event) {
        Channel channel = channels.get(name);
        if (channel == null) {
            return null;
        }
        Sequenced sequenced;
        synchronized (channel) {
            if (channel.forgotten) {
                return null;
            }
            long now = nanoTime.getAsLong();
            channel.seq++;
            if (event.retained()) {
                channel.offset++;
            }
            sequenced = new Sequenced(name, channel.epoch, channel.offset, channel.seq, event);
            channel.lastActiveNanos = now;
            if (event.retained() && channel.retention.maxEvents() > 0) {
                channel.append(sequenced, now);
            }
            Consumer<Sequenced> listener = channel.listener;
            if (listener != null) {
                // enqueued under the lock: the lane's order is the channel's order
                channel.lane.execute(() -> listener.accept(sequenced));
            }
        }
        keepWithinBudget(channel.retention.budget());
        return sequenced;
    }

    @Override
    public Subscription subscribe(String name, Consumer<Sequenced> listener) {
        while (true) {
            Channel channel = channels.computeIfAbsent(name, Channel::new);
            synchronized (channel) {
                if (channel.forgotten) {
                    continue;
                }
                if (channel.listener != null) {
                    throw new IllegalStateException("channel " + name + " has a listener on this node already");
                }
                channel.listener = listener;
                channel.lastActiveNanos = nanoTime.getAsLong();
            }
            return () -> {
                synchronized (channel) {
                    if (channel.listener == listener) {
                        channel.listener = null;
                        channel.lastActiveNanos = nanoTime.getAsLong();
                        channel.trim(channel.lastActiveNanos);
                    }
                }
            };
        }
    }

    @Override
    public Position position(String name) {
        while (true) {
            Channel channel = channels.computeIfAbsent(name, Channel::new);
            synchronized (channel) {
                if (!channel.forgotten) {
                    return channel.position();
                }
            }
        }
    }

    @Override
    public LogRead read(String name, String epoch, long afterOffset, long upToOffset) {
        Channel channel = channels.get(name);
        if (channel == null || epoch == null || !epoch.equals(channel.epoch)) {
            return LogRead.gone();
        }
        synchronized (channel) {
            channel.trim(nanoTime.getAsLong());
            if (channel.forgotten || afterOffset < 0 || afterOffset > upToOffset || upToOffset > channel.offset) {
                return LogRead.gone();
            }
            long firstHeld = channel.log.isEmpty() ? channel.offset + 1 : channel.log.peekFirst().event().offset();
            List<Sequenced> events = new ArrayList<>();
            for (Held held : channel.log) {
                long offset = held.event().offset();
                if (offset > afterOffset && offset <= upToOffset) {
                    events.add(held.event());
                }
            }
            return new LogRead(afterOffset + 1 >= firstHeld, events);
        }
    }

    @Override
    public List<Sequenced> tail(String name, int count, long upToOffset) {
        Channel channel = channels.get(name);
        if (channel == null || count <= 0) {
            return List.of();
        }
        synchronized (channel) {
            channel.trim(nanoTime.getAsLong());
            ArrayDeque<Sequenced> newest = new ArrayDeque<>(count);
            for (Iterator<Held> it = channel.log.descendingIterator(); it.hasNext() && newest.size() < count; ) {
                Sequenced event = it.next().event();
                if (event.offset() <= upToOffset) {
                    newest.addFirst(event);
                }
            }
            return List.copyOf(newest);
        }
    }

    @Override
    public int pending(String name) {
        Channel channel = channels.get(name);
        return channel == null ? 0 : channel.lane.pending();
    }

    /** Whether the channel exists (has a listener, or had one within its linger). */
    public boolean exists(String name) {
        return channels.containsKey(name);
    }

    @Override
    public int channelCount() {
        return channels.size();
    }

    @Override
    public long pendingDeliveries() {
        long pending = 0;
        for (Channel channel : channels.values()) {
            pending += channel.lane.pending();
        }
        return pending;
    }

    /**
     * Past the budget, the oldest event of any channel on it goes, one channel lock at a time (never
     * two: publishers of different channels must not wait on each other in some order).
     */
    private void keepWithinBudget(LogBudget budget) {
        while (budget.over()) {
            Channel oldest = null;
            for (Channel channel : channels.values()) {
                if (channel.retention.budget() == budget
                        && (oldest == null || channel.oldestNanos < oldest.oldestNanos)) {
                    oldest = channel;
                }
            }
            if (oldest == null || oldest.oldestNanos == Long.MAX_VALUE) {
                return;
            }
            synchronized (oldest) {
                if (!oldest.log.isEmpty()) {
                    oldest.dropOldest();
                    budget.evicted();
                }
            }
        }
    }

    /** Ages every log out and forgets each channel left without a listener for its linger. */
    public void sweep() {
        long now = nanoTime.getAsLong();
        for (Channel channel : channels.values()) {
            synchronized (channel) {
                channel.trim(now);
                if (channel.listener == null && now - channel.lastActiveNanos >= channel.retention.linger().toNanos()) {
                    while (!channel.log.isEmpty()) {
                        channel.dropOldest();
                    }
                    channel.forgotten = true;
                    channels.remove(channel.name, channel);
                }
            }
        }
    }

    @Override
    public void close() {
        if (sweep != null) {
            sweep.cancel(false);
        }
    }
}
