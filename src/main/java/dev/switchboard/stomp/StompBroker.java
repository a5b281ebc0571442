package dev.switchboard.stomp;

import dev.switchboard.bus.MessageBus;
import dev.switchboard.bus.MessageIds;
import dev.switchboard.connection.Broadcast;
import dev.switchboard.ops.DaemonThreads;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The STOMP broker shared by every session: {@code /topic/*} fans out to every subscriber through
 * the {@link MessageBus} (one bus listener per topic on this node, one encoding per subscription
 * group), {@code /queue/*} hands each message to one subscriber ({@link StompQueue}).
 */
public final class StompBroker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StompBroker.class.getName());
    static final String TOPIC_PREFIX = "/topic/";
    static final String QUEUE_PREFIX = "/queue/";
    private static final String BUS_PREFIX = "stomp";

    /**
     * Destination counters for the monitor page: {@code depth} messages waiting, {@code bytes} held
     * (a queue's waiting and unacknowledged messages; 0 for a topic).
     */
    public record DestinationStats(String destination, String kind, int subscribers, int depth, long bytes,
                                   long messagesIn, long messagesOut) {
    }

    /**
     * The whole broker at a glance, whatever page of destinations is asked for: how many there are
     * and what the broker holds for its clients (the bounded quantities of docs/protocol.md).
     */
    public record Totals(int sessions, int destinations, int queues, int topics, long queuedMessages,
                         long queuedBytes, long unackedTopicBytes, long transactionBytes, long heldBytes,
                         long messagesIn, long messagesOut) {
    }

    /** One page of destinations, in name order, and the totals ({@code messagesIn/Out}: over the broker's life). */
    public record Page(Totals totals, int offset, List<DestinationStats> destinations) {
    }

    private final MessageBus bus;
    private final StompSettings settings;
    private final MessageIds ids = new MessageIds();
    private final ConcurrentMap<String, StompQueue> queues = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Topic> topics = new ConcurrentHashMap<>();
    private final Set<StompSession> sessions = ConcurrentHashMap.newKeySet();
    /** Queues plus topics; a new one past {@code stomp.max-destinations} is refused. */
    private final AtomicInteger destinations = new AtomicInteger();
    /** What the broker holds for clients, by kind; together at most {@code maxHeldBytes}. */
    private final AtomicLong[] heldByKind = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
    private final AtomicLong held = new AtomicLong();
    /** Messages in and out over the broker's life (a destination's own counters go when it is forgotten). */
    private final AtomicLong messagesIn = new AtomicLong();
    private final AtomicLong messagesOut = new AtomicLong();

    /** The kinds of bytes a client can make the broker hold. */
    enum Hold { QUEUED, UNACKED_ON_TOPIC, IN_TRANSACTION }
    private final ScheduledExecutorService timers;
    /**
     * Big topics fan out on these threads rather than on the publisher's alone; a session always
     * gets its frames from the same stripe, so each subscriber still sees one publisher's order.
     */
    private final ExecutorService[] stripes;
    private final AtomicLong stripeCounter = new AtomicLong();

    public StompBroker(MessageBus bus, StompSettings settings) {
        this.bus = bus;
        this.settings = settings;
        this.stripes = new ExecutorService[Math.max(2, Runtime.getRuntime().availableProcessors())];
        for (int i = 0; i < stripes.length; i++) {
            String name = "switchboard-stomp-fanout-" + i;
            stripes[i] = Executors.newSingleThreadExecutor(DaemonThreads.named(name));
        }
        this.timers = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("switchboard-stomp-heartbeat"));
    }

    public StompSettings settings() {
        return settings;
    }

    ScheduledExecutorService timers() {
        return timers;
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

    String nextMessageId() {
        return ids.next();
    }

    static void checkDestination(String destination) throws StompException {
        if (destination == null) {
            throw StompException.malformed("missing header 'destination'");
        }
        boolean topic = destination.startsWith(TOPIC_PREFIX) && destination.length() > TOPIC_PREFIX.length();
        boolean queue = destination.startsWith(QUEUE_PREFIX) && destination.length() > QUEUE_PREFIX.length();
        if (!topic && !queue) {
            throw StompException.malformed("unknown destination '" + destination + "': use /topic/NAME or /queue/NAME");
        }
        if (dev.switchboard.connection.Utf8.encodedLength(destination) > StompSettings.MAX_DESTINATION_BYTES) {
            throw StompException.limit("destination-too-long",
                    "destination names are at most " + StompSettings.MAX_DESTINATION_BYTES + " bytes");
        }
        for (int i = 0; i < destination.length(); i++) {
            if (Character.isISOControl(destination.charAt(i))) {
                throw StompException.malformed("a destination name has no control characters");
            }
        }
    }

    // ---- what the broker holds ----------------------------------------------------------------------

    /** Takes {@code bytes} of the broker's total for something held; false when that would pass it. */
    boolean reserve(Hold kind, long bytes) {
        long after = held.addAndGet(bytes);
        if (after > settings.maxHeldBytes() && after != bytes) {
            held.addAndGet(-bytes);
            return false;
        }
        heldByKind[kind.ordinal()].addAndGet(bytes);
        return true;
    }

    void release(Hold kind, long bytes) {
        heldByKind[kind.ordinal()].addAndGet(-bytes);
        held.addAndGet(-bytes);
    }

    /** Everything the broker holds for its clients now (queued, unacknowledged, in transactions), in bytes. */
    public long heldBytes() {
        return held.get();
    }

    private void newDestination(String destination) throws StompException {
        if (destinations.incrementAndGet() > settings.maxDestinations()) {
            destinations.decrementAndGet();
            throw StompException.limit("too-many-destinations", "no new destination " + destination + ": the broker has "
                    + settings.maxDestinations() + " (stomp.max-destinations)");
        }
    }

    // ---- sending ----------------------------------------------------------------------------------

    void counted(long in, long out) {
        messagesIn.addAndGet(in);
        messagesOut.addAndGet(out);
    }

    void send(StompMessage message) throws StompException {
        if (message.destination().startsWith(QUEUE_PREFIX)) {
            StompException refused = onQueue(message.destination(), queue -> {
                try {
                    queue.send(message);
                    return null;
                } catch (StompException e) {
                    return e;
                }
            });
            if (refused != null) {
                throw refused;
            }
        } else {
            Topic topic = topics.get(message.destination());
            if (topic != null) {
                topic.messagesIn.incrementAndGet();
            }
            messagesIn.incrementAndGet();
            // the bus carries the message once, as a STOMP frame without per-subscriber headers
            StompFrame.Builder template = StompFrame.builder(StompCommand.MESSAGE)
                    .header("destination", message.destination()).header("message-id", message.messageId());
            message.headers().forEach(h -> template.header(h.getKey(), h.getValue()));
            byte[] wire = StompEncoder.encode(template.body(message.body()).build(), StompVersion.V1_2);
            bus.publish(BUS_PREFIX + message.destination(), new Broadcast(List.of(new Broadcast.Binary(wire)), null));
        }
    }

    /**
     * Runs {@code action} on the queue, made if need be (counted against {@code stomp.max-destinations}),
     * under its lock; afterwards a queue left idle — nothing held, no subscriber — is forgotten, as an
     * empty topic is. A queue is only ever removed under its own lock and marked retired, so an
     * action that raced with the removal finds it retired and runs on a fresh one instead.
     */
    private <T> T onQueue(String destination, java.util.function.Function<StompQueue, T> action) throws StompException {
        while (true) {
            StompQueue queue = queues.get(destination);
            if (queue == null) {
                newDestination(destination);
                StompQueue made = new StompQueue(destination, this);
                queue = queues.putIfAbsent(destination, made);
                if (queue == null) {
                    queue = made;
                } else {
                    destinations.decrementAndGet(); // someone else made it first
                }
            }
            synchronized (queue) {
                if (queue.retired) {
                    continue;
                }
                T result = action.apply(queue);
                forgetIfIdle(queue);
                return result;
            }
        }
    }

    /** Runs {@code action} on the queue if it exists; never makes one. */
    private void onExistingQueue(String destination, java.util.function.Consumer<StompQueue> action) {
        StompQueue queue = queues.get(destination);
        if (queue == null) {
            return;
        }
        synchronized (queue) {
            if (!queue.retired) {
                action.accept(queue);
                forgetIfIdle(queue);
            }
        }
    }

    /** Caller holds the queue's lock. */
    private void forgetIfIdle(StompQueue queue) {
        if (queue.idle() && queues.remove(queue.destination, queue)) {
            queue.retired = true;
            destinations.decrementAndGet();
        }
    }

    // ---- subscriptions ------------------------------------------------------------------------------

    void subscribe(StompSubscription subscription) throws StompException {
        if (subscription.isQueue()) {
            onQueue(subscription.destination, queue -> {
                queue.subscribe(subscription);
                return null;
            });
        } else {
            StompException[] refused = new StompException[1];
            topics.compute(subscription.destination, (destination, topic) -> {
                Topic t = topic;
                if (t == null) {
                    try {
                        newDestination(destination);
                    } catch (StompException e) {
                        refused[0] = e;
                        return null;
                    }
                    t = new Topic(destination);
                }
                t.subscriptions.add(subscription);
                return t;
            });
            if (refused[0] != null) {
                throw refused[0];
            }
        }
    }

    void unsubscribe(StompSubscription subscription) {
        if (subscription.isQueue()) {
            onExistingQueue(subscription.destination, queue -> queue.unsubscribe(subscription));
        } else {
            subscription.cancel(); // a topic message not acked is not anyone else's to have
            topics.computeIfPresent(subscription.destination, (destination, topic) -> {
                topic.subscriptions.remove(subscription);
                if (topic.subscriptions.isEmpty()) {
                    topic.busSubscription.close();
                    destinations.decrementAndGet();
                    return null;
                }
                return topic;
            });
        }
    }

    /** Acknowledged messages of a subscription: a queue lets them go (a topic subscription already has). */
    void acknowledged(StompSubscription subscription, List<StompMessage> messages) {
        if (subscription.isQueue() && !messages.isEmpty()) {
            onExistingQueue(subscription.destination, queue -> queue.acknowledged(messages));
        }
    }

    /** NACKed messages of a subscription, redelivered per the destination's kind. */
    void redeliver(StompSubscription subscription, List<StompMessage> messages) {
        if (subscription.isQueue()) {
            // the queue is not idle: the nacker is subscribed, and the messages are still held
            onExistingQueue(subscription.destination, queue -> queue.redeliver(subscription, messages));
        } else {
            for (StompMessage message : messages) {
                if (subscription.delivered(message)) {
                    subscription.session.deliver(message, subscription, true);
                }
            }
        }
    }

    /** Every destination's counters, in name order (for tests and small brokers; the servlet pages). */
    public List<DestinationStats> stats() {
        return page(0, Integer.MAX_VALUE).destinations();
    }

    /**
     * {@code limit} destinations from {@code offset} in name order, and the totals over all of them.
     * Only the page's entries are built: the cost of a big broker is one sort of its names.
     */
    public Page page(int offset, int limit) {
        List<String> names = new ArrayList<>(queues.size() + topics.size());
        long queuedMessages = 0;
        int queueCount = 0;
        for (StompQueue q : queues.values()) {
            names.add(q.destination);
            queueCount++;
            queuedMessages += q.heldCount();
        }
        int topicCount = 0;
        for (Topic t : topics.values()) {
            names.add(t.destination);
            topicCount++;
        }
        names.sort(null);
        int from = Math.min(Math.max(0, offset), names.size());
        int to = (int) Math.min(names.size(), (long) from + Math.max(0, limit));
        List<DestinationStats> page = new ArrayList<>(to - from);
        for (String name : names.subList(from, to)) {
            StompQueue q = queues.get(name);
            Topic t = topics.get(name);
            if (q != null) {
                page.add(new DestinationStats(name, "queue", q.subscriberCount(), q.depth(), q.heldBytes(),
                        q.enqueuedCount(), q.dispatchedCount()));
            } else if (t != null) {
                page.add(new DestinationStats(name, "topic", t.subscriptions.size(), 0, 0, t.messagesIn.get(),
                        t.messagesOut.get()));
            }
        }
        return new Page(new Totals(sessions.size(), names.size(), queueCount, topicCount, queuedMessages,
                heldByKind[Hold.QUEUED.ordinal()].get(), heldByKind[Hold.UNACKED_ON_TOPIC.ordinal()].get(),
                heldByKind[Hold.IN_TRANSACTION.ordinal()].get(), held.get(), messagesIn.get(), messagesOut.get()), from, page);
    }

    @Override
    public void close() {
        timers.shutdownNow();
        for (ExecutorService stripe : stripes) {
            stripe.shutdownNow();
        }
    }

    /** The stripe a new session's topic frames go out on. */
    int nextStripe() {
        return (int) (stripeCounter.getAndIncrement() % stripes.length);
    }

    /** A topic with local subscribers: one bus listener fans each message out to them. */
    /** One message's frames for the sessions of one stripe, sent in subscription order. */
    private static final class StripeBatch implements Runnable {
        private final List<StompSession> sessions = new ArrayList<>();
        private final List<Broadcast.Frame> frames = new ArrayList<>();

        void add(StompSession session, Broadcast.Frame frame) {
            sessions.add(session);
            frames.add(frame);
        }

        @Override
        public void run() {
            for (int i = 0; i < sessions.size(); i++) {
                sessions.get(i).send(frames.get(i));
            }
        }
    }

    private void dispatch(StripeBatch[] batches) {
        for (int i = 0; i < batches.length; i++) {
            if (batches[i] != null) {
                try {
                    stripes[i].execute(batches[i]);
                } catch (RejectedExecutionException closing) {
                    return; // the broker is shutting down
                }
            }
        }
    }

    /** Subscribers from which a topic fans out on the stripes (below, the hand-off costs more than it saves). */
    static final int STRIPED_FROM = 64;

    private final class Topic {
        final String destination;
        final List<StompSubscription> subscriptions = new CopyOnWriteArrayList<>();
        final MessageBus.Subscription busSubscription;
        final AtomicLong messagesIn = new AtomicLong();
        final AtomicLong messagesOut = new AtomicLong();
        private volatile boolean striped;

        Topic(String destination) {
            this.destination = destination;
            this.busSubscription = bus.subscribe(BUS_PREFIX + destination, "stomp-node", this::fanOut);
        }

        private void fanOut(Broadcast broadcast) {
            StompMessage message;
            try {
                StompDecoder decoder = new StompDecoder(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
                decoder.version(StompVersion.V1_2);
                StompFrame frame = decoder.decode(ByteBuffer.wrap(((Broadcast.Binary) broadcast.frames().get(0)).data())).get(0);
                List<Map.Entry<String, String>> headers = frame.headers().stream()
                        .filter(h -> !h.getKey().equals("destination") && !h.getKey().equals("message-id")
                                && !h.getKey().equals("content-length"))
                        .toList();
                message = new StompMessage(destination, frame.header("message-id"), headers, frame.body());
            } catch (StompException | RuntimeException e) {
                LOG.log(Level.WARNING, "undecodable message on the bus for " + destination, e);
                return;
            }
            // one encoding per (version, subscription id, ack mode): clients often share ids like "sub-0"
            Map<String, Broadcast.Frame> encoded = new HashMap<>();
            if (!striped && subscriptions.size() >= STRIPED_FROM) {
                striped = true; // and stays so: frames already sent inline are ahead of any striped ones
            }
            StripeBatch[] batches = striped ? new StripeBatch[stripes.length] : null;
            long delivered = 0;
            for (StompSubscription subscription : subscriptions) {
                if (!subscription.delivered(message)) {
                    continue;
                }
                Broadcast.Frame frame = encoded.computeIfAbsent(subscription.encodingKey, k -> StompSession.toWebSocketFrame(
                        StompEncoder.encode(message.toFrame(subscription.id,
                                subscription.session.ackHeader(subscription, message), false), subscription.session.version())));
                delivered++;
                if (batches == null) {
                    subscription.session.send(frame);
                } else {
                    int stripe = subscription.session.stripe;
                    if (batches[stripe] == null) {
                        batches[stripe] = new StripeBatch();
                    }
                    batches[stripe].add(subscription.session, frame);
                }
            }
            messagesOut.addAndGet(delivered);
            StompBroker.this.messagesOut.addAndGet(delivered);
            if (batches != null) {
                dispatch(batches);
            }
        }
    }
}
