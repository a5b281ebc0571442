package dev.switchboard.stomp;

import dev.switchboard.bus.Broadcast;
import dev.switchboard.bus.MessageBus;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
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

    /** Destination counters for the monitor page. */
    public record DestinationStats(String destination, String kind, int subscribers, int depth, long messagesIn,
                                   long messagesOut) {
    }

    private final MessageBus bus;
    private final StompSettings settings;
    private final String idPrefix = Long.toString(new SecureRandom().nextLong() >>> 1, 36);
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentMap<String, StompQueue> queues = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Topic> topics = new ConcurrentHashMap<>();
    private final Set<StompSession> sessions = ConcurrentHashMap.newKeySet();
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
            stripes[i] = Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, name);
                thread.setDaemon(true);
                return thread;
            });
        }
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "switchboard-stomp-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
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
        return idPrefix + "-" + Long.toString(ids.incrementAndGet(), 36);
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
    }

    // ---- sending ----------------------------------------------------------------------------------

    void send(StompMessage message) throws StompException {
        if (message.destination().startsWith(QUEUE_PREFIX)) {
            queue(message.destination()).send(message);
        } else {
            Topic topic = topics.get(message.destination());
            if (topic != null) {
                topic.messagesIn.incrementAndGet();
            }
            // the bus carries the message once, as a STOMP frame without per-subscriber headers
            StompFrame.Builder template = StompFrame.builder(StompCommand.MESSAGE)
                    .header("destination", message.destination()).header("message-id", message.messageId());
            message.headers().forEach(h -> template.header(h.getKey(), h.getValue()));
            byte[] wire = StompEncoder.encode(template.body(message.body()).build(), StompVersion.V1_2);
            bus.publish(BUS_PREFIX + message.destination(), new Broadcast(List.of(new Broadcast.Binary(wire)), null));
        }
    }

    private StompQueue queue(String destination) {
        return queues.computeIfAbsent(destination, d -> new StompQueue(d, settings.queueDepth()));
    }

    // ---- subscriptions ------------------------------------------------------------------------------

    void subscribe(StompSubscription subscription) {
        if (subscription.isQueue()) {
            queue(subscription.destination).subscribe(subscription);
        } else {
            topics.compute(subscription.destination, (destination, topic) -> {
                Topic t = topic == null ? new Topic(destination) : topic;
                t.subscriptions.add(subscription);
                return t;
            });
        }
    }

    void unsubscribe(StompSubscription subscription) {
        if (subscription.isQueue()) {
            StompQueue queue = queues.get(subscription.destination);
            if (queue != null) {
                queue.unsubscribe(subscription);
            }
        } else {
            subscription.cancel(); // a topic message not acked is not anyone else's to have
            topics.computeIfPresent(subscription.destination, (destination, topic) -> {
                topic.subscriptions.remove(subscription);
                if (topic.subscriptions.isEmpty()) {
                    topic.busSubscription.close();
                    return null;
                }
                return topic;
            });
        }
    }

    /** NACKed messages of a subscription, redelivered per the destination's kind. */
    void redeliver(StompSubscription subscription, List<StompMessage> messages) {
        if (subscription.isQueue()) {
            queue(subscription.destination).redeliver(subscription, messages);
        } else {
            for (StompMessage message : messages) {
                if (subscription.delivered(message)) {
                    subscription.session.deliver(message, subscription, true);
                }
            }
        }
    }

    public List<DestinationStats> stats() {
        List<DestinationStats> stats = new java.util.ArrayList<>();
        queues.values().forEach(q -> stats.add(new DestinationStats(q.destination, "queue", q.subscriberCount(),
                q.depth(), q.enqueuedCount(), q.dispatchedCount())));
        topics.values().forEach(t -> stats.add(new DestinationStats(t.destination, "topic", t.subscriptions.size(), 0,
                t.messagesIn.get(), t.messagesOut.get())));
        stats.sort(java.util.Comparator.comparing(DestinationStats::destination));
        return stats;
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
            if (batches != null) {
                dispatch(batches);
            }
        }
    }
}
