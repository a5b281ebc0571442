package dev.switchboard.stomp;

import dev.switchboard.bus.Delivery;
import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.MessageBus;
import dev.switchboard.bus.MessageIds;
import dev.switchboard.bus.Replay;
import dev.switchboard.bus.Sequenced;
import dev.switchboard.bus.Since;
import dev.switchboard.ops.DaemonThreads;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The STOMP broker shared by every session: {@code /topic/*} is a channel on the
 * {@link MessageBus} (numbered and kept for recovery, one listener per topic on this node, one
 * MESSAGE encoding per subscription group), {@code /queue/*} hands each message to one subscriber
 * ({@link StompQueue}).
 */
public final class StompBroker implements AutoCloseable {

    static final String TOPIC_PREFIX = "/topic/";
    static final String QUEUE_PREFIX = "/queue/";
    /** Where topics' channels are on the bus. */
    public static final String TOPIC_CHANNEL_PREFIX = StompRecovery.channel("");
    /** A topic message with its x-epoch and x-offset, the key of its one copy per event. */
    private static final String NUMBERED = "stomp-numbered";

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
    private final FanOut fanOut;
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

    public StompBroker(MessageBus bus, FanOut fanOut, StompSettings settings) {
        this.bus = bus;
        this.fanOut = fanOut;
        this.settings = settings;
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

    /** The broker's one id generator: message ids, and session ids too. */
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
            String channel = StompRecovery.channel(message.destination());
            if (fanOut.overloaded(channel)) {
                throw StompException.limit("topic-busy", "topic " + message.destination()
                        + " is still delivering earlier messages (fan-out.max-backlog); try later");
            }
            Topic topic = topics.get(message.destination());
            if (topic != null) {
                topic.messagesIn.incrementAndGet();
            }
            messagesIn.incrementAndGet();
            // the channel exists while the topic has subscribers here, and for recovery.ttl after
            bus.publish(channel, new StompRecovery.TopicMessage(message));
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

    /**
     * Registers a subscription. A topic subscription is attached to its channel and, for
     * {@code since}, given what the topic kept after it; the caller sends those (after the
     * SUBSCRIBE's RECEIPT) and then starts the subscription. Returns null for a queue.
     */
    TopicStart subscribe(StompSubscription subscription, Since since) throws StompException {
        if (subscription.isQueue()) {
            onQueue(subscription.destination, queue -> {
                queue.subscribe(subscription);
                return null;
            });
            return null;
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
            Topic topic = topics.get(subscription.destination);
            String channel = StompRecovery.channel(subscription.destination);
            subscription.attachment = fanOut.attach(channel, delivery -> deliverFromTopic(topic, subscription,
                    delivery.encoded(NUMBERED, StompBroker::numbered), delivery));
            if (since == null) {
                return new TopicStart(subscription, null, List.of());
            }
            try {
                // no history for a topic: what was missed, or nothing
                Replay replay = bus.replay(channel, since, subscription.attachment.position(), 0);
                return new TopicStart(subscription, replay.recovered(),
                        replay.events().stream().map(StompBroker::numbered).toList());
            } catch (RuntimeException e) {
                unsubscribe(subscription); // a SUBSCRIBE that fails leaves nothing behind
                throw e;
            }
        }
    }

    /**
     * A new topic subscription's first messages ({@code recovered}: null when no {@code x-since}
     * was asked, else whether {@code missed} is everything after it); {@link #run()} sends them
     * and starts the live ones.
     */
    record TopicStart(StompSubscription subscription, Boolean recovered, List<StompMessage> missed) implements Runnable {
        @Override
        public void run() {
            for (StompMessage message : missed) {
                if (subscription.delivered(message)) {
                    subscription.session.deliver(message, subscription, false);
                }
            }
            subscription.attachment.start();
        }
    }

    private static StompMessage numbered(Sequenced sequenced) {
        return ((StompRecovery.TopicMessage) sequenced.event()).message().at(sequenced.epoch(), sequenced.offset());
    }

    /** One topic message to one subscription: its MESSAGE frame made once per subscription group. */
    private void deliverFromTopic(Topic topic, StompSubscription subscription, StompMessage message,
                                  Delivery delivery) {
        if (!subscription.delivered(message)) {
            return;
        }
        subscription.session.send(delivery.encoded(subscription.encodingKey, sequenced -> StompSession.toWebSocketFrame(
                StompEncoder.encode(message.toFrame(subscription.id, subscription.session.ackHeader(subscription, message),
                        false), subscription.session.version()))));
        if (topic != null) {
            topic.messagesOut.incrementAndGet();
        }
        messagesOut.incrementAndGet();
    }

    void unsubscribe(StompSubscription subscription) {
        if (subscription.isQueue()) {
            onExistingQueue(subscription.destination, queue -> queue.unsubscribe(subscription));
        } else {
            subscription.cancel(); // a topic message not acked is not anyone else's to have
            if (subscription.attachment != null) {
                subscription.attachment.close();
            }
            topics.computeIfPresent(subscription.destination, (destination, topic) -> {
                topic.subscriptions.remove(subscription);
                if (topic.subscriptions.isEmpty()) {
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
    }

    /** A topic with subscribers on this node: what the monitor counts (its channel does the fan-out). */
    private static final class Topic {
        final String destination;
        final List<StompSubscription> subscriptions = new CopyOnWriteArrayList<>();
        final AtomicLong messagesIn = new AtomicLong();
        final AtomicLong messagesOut = new AtomicLong();

        Topic(String destination) {
            this.destination = destination;
        }
    }
}
