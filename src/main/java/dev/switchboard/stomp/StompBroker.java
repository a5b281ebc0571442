package dev.switchboard.stomp;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.BrokerSettings;
import dev.switchboard.broker.Holdings;
import dev.switchboard.broker.QueueHomes;
import dev.switchboard.broker.store.MessageStore;
import dev.switchboard.broker.store.StoreException;
import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.MessageBus;
import dev.switchboard.bus.MessageIds;
import dev.switchboard.ops.DaemonThreads;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * STOMP's side of the broker: the sessions of every connection over the broker core
 * ({@link Broker}, which knows nothing of frames), and the one sweep that beats their hearts,
 * closes silent peers and ends expired transactions (instead of timers per session).
 */
public final class StompBroker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StompBroker.class.getName());

    /** Where topics' channels are on the bus. */
    public static final String TOPIC_CHANNEL_PREFIX = Broker.TOPIC_CHANNEL_PREFIX;

    /**
     * The whole broker at a glance, whatever page of destinations is asked for: how many sessions
     * and destinations there are and what the broker holds for its clients (the bounded quantities
     * of docs/protocol.md).
     */
    public record Totals(int sessions, int destinations, int queues, int topics, long queuedMessages,
                         long queuedBytes, long unackedTopicBytes, long transactionBytes, long heldBytes,
                         long messagesIn, long messagesOut, long persistentMessages, int durableSubscriptions) {
    }

    /** One page of destinations and durable subscriptions, in name order, and the totals. */
    public record Page(Totals totals, int offset, List<Broker.DestinationStats> destinations,
                       List<Broker.DurableStats> durables) {
    }

    private final Broker core;
    private final StompSettings settings;
    private final MessageIds ids = new MessageIds();
    private final Set<StompSession> sessions = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timers;
    private final boolean ownTimers;
    private final ScheduledFuture<?> sweep;
    private MessageStore store;
    /** The application's pool (or the timer, for a broker on its own). */
    private java.util.concurrent.Executor work;

    /** A broker in memory only, on its own timer, forgetting a topic with its last subscriber (tests, tools). */
    public StompBroker(MessageBus bus, FanOut fanOut, StompSettings settings) {
        this(bus, fanOut, settings, uncheckedCore(bus, fanOut, settings), null);
    }

    /**
     * @param store       persistent messages and durable subscriptions, or null for memory only; the
     *                    broker opens it and closes it when it closes
     * @param timers      the application's timers (the sweep runs there), or null for a timer of its own
     * @param topicLinger how long a topic without subscribers stays listed with its counters
     * @param work        the application's pool: what the store's thread hands on runs there
     */
    public StompBroker(MessageBus bus, FanOut fanOut, StompSettings settings, MessageStore store,
                       ScheduledExecutorService timers, Duration topicLinger, java.util.concurrent.Executor work)
            throws StoreException {
        this(bus, fanOut, settings, store, timers, topicLinger, work, null);
    }

    /** @param homes where queues run when this is one node of a cluster, or null */
    public StompBroker(MessageBus bus, FanOut fanOut, StompSettings settings, MessageStore store,
                       ScheduledExecutorService timers, Duration topicLinger, java.util.concurrent.Executor work,
                       QueueHomes homes) throws StoreException {
        this(bus, fanOut, settings, new Broker(bus, fanOut, brokerSettings(settings), store, topicLinger, System::nanoTime,
                homes), timers);
        this.store = store;
        this.work = work;
    }

    private StompBroker(MessageBus bus, FanOut fanOut, StompSettings settings, Broker core,
                        ScheduledExecutorService timers) {
        this.core = core;
        this.settings = settings;
        this.ownTimers = timers == null;
        this.timers = timers != null ? timers
                : Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("switchboard-stomp-sweep"));
        this.work = this.timers;
        long every = sweepMillis(settings);
        this.sweep = this.timers.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    private static Broker uncheckedCore(MessageBus bus, FanOut fanOut, StompSettings settings) {
        try {
            return new Broker(bus, fanOut, brokerSettings(settings), null, Duration.ZERO, System::nanoTime);
        } catch (StoreException e) {
            throw new IllegalStateException("a broker without a store cannot fail to open it", e);
        }
    }

    private static BrokerSettings brokerSettings(StompSettings settings) {
        return new BrokerSettings(settings.queueDepth(), settings.queueBytes(), settings.maxDestinations(),
                settings.maxHeldBytes());
    }

    /**
     * How often the sweep looks: a quarter of the shortest heart-beat interval (a beat is at most
     * that late, which the spec's "timing error" allows), between 50 ms and 1 s.
     */
    static long sweepMillis(StompSettings settings) {
        long shortest = Long.MAX_VALUE;
        for (long interval : new long[] {settings.heartbeatSendMs(), settings.heartbeatReceiveMs()}) {
            if (interval > 0) {
                shortest = Math.min(shortest, interval);
            }
        }
        return Math.max(50, Math.min(1_000, shortest / 4));
    }

    private void sweep() {
        long now = System.nanoTime();
        for (StompSession session : sessions) {
            try {
                session.tick(now);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "STOMP session sweep failed", e);
            }
        }
        core.sweep();
    }

    public StompSettings settings() {
        return settings;
    }

    /** The broker core: destinations, subscriptions, the store. */
    public Broker core() {
        return core;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    /** Where work the store's thread hands on runs (sending on what was written, its RECEIPT). */
    java.util.concurrent.Executor work() {
        return work;
    }

    /** A new session for one connection. */
    public StompSession open(StompSession.Transport transport, StompSecurity security) {
        StompSession session = new StompSession(this, transport, security);
        sessions.add(session);
        return session;
    }

    void closed(StompSession session) {
        sessions.remove(session);
    }

    public int sessionCount() {
        return sessions.size();
    }

    /** The broker's one id generator: message ids, and session ids too. */
    String nextMessageId() {
        return ids.next();
    }

    /** Everything the broker holds for its clients now (queued, unacknowledged, in transactions), in bytes. */
    public long heldBytes() {
        return core.holdings().total();
    }

    /** Every destination's counters, in name order (for tests and small brokers). */
    public List<Broker.DestinationStats> stats() {
        return page(0, Integer.MAX_VALUE).destinations();
    }

    /** {@code limit} destinations from {@code offset} in name order, and the totals over all of them. */
    public Page page(int offset, int limit) {
        Broker.Page page = core.page(offset, limit);
        Broker.Totals t = page.totals();
        return new Page(new Totals(sessions.size(), t.destinations(), t.queues(), t.topics(), t.queuedMessages(),
                t.queuedBytes(), t.unackedTopicBytes(), core.holdings().of(Holdings.Kind.IN_TRANSACTION), t.heldBytes(),
                t.messagesIn(), t.messagesOut(), t.persistentMessages(), t.durableSubscriptions()), page.offset(),
                page.destinations(), page.durables());
    }

    /** One connected STOMP session as the monitor lists it ({@code user} and {@code clientId} null until CONNECT names them). */
    public record SessionStats(String id, String user, String clientId, String version) {
    }

    /** At most {@code limit} sessions, by id. Read-only. */
    public List<SessionStats> sessions(int limit) {
        return sessions.stream().map(s -> new SessionStats(s.id(), s.user(), s.clientId(), s.version().header()))
                .sorted(java.util.Comparator.comparing(SessionStats::id)).limit(limit).toList();
    }

    @Override
    public void close() {
        sweep.cancel(false);
        if (ownTimers) {
            timers.shutdownNow();
        }
        core.close();
        if (store != null) {
            store.close(); // what is pending reaches the disk
        }
    }
}
