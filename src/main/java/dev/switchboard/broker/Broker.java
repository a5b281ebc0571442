package dev.switchboard.broker;

import dev.switchboard.broker.store.MessageStore;
import dev.switchboard.broker.store.StoreException;
import dev.switchboard.bus.ChannelEvent;
import dev.switchboard.bus.EventCodec;
import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.MessageBus;
import dev.switchboard.bus.Replay;
import dev.switchboard.bus.Sequenced;
import dev.switchboard.bus.Since;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The broker core, which knows nothing of STOMP frames: destinations, subscriptions registered by
 * key, queues that own their unacknowledged messages, durable topic subscriptions, the store,
 * selectors and prefetch. {@code /topic/*} is a channel on the {@link MessageBus} (numbered and
 * kept for recovery, one listener per topic on this node); {@code /queue/*} hands each message to
 * one consumer ({@link Queue}). A protocol session calls it with plain values and gets messages
 * back through its {@link Subscriber}s.
 * <p>
 * Persistence (docs/protocol.md, "stomp"): a {@code persistent} message to a queue, and each copy
 * of a persistent topic message kept for a durable subscription, is in the store before
 * {@link #send} returns; an acknowledged one is gone from it before {@link #ack} returns when asked
 * to be durable. What the store holds is loaded back when the broker starts.
 */
public final class Broker implements AutoCloseable {

    static final Logger LOG = Logger.getLogger(Broker.class.getName());

    public static final String TOPIC_PREFIX = "/topic/";
    public static final String QUEUE_PREFIX = "/queue/";
    /** Longest destination name, in UTF-8 bytes (as AMQP's short strings): names are kept per destination. */
    public static final int MAX_DESTINATION_BYTES = 255;
    /** Where topics' channels are on the bus. */
    public static final String TOPIC_CHANNEL_PREFIX = "topic:";
    /** A durable subscription's backlog, as the store names its queue. */
    private static final String DURABLE_QUEUE_PREFIX = "durable:";
    /** A durable subscription's queue in a cluster: {@code /durable/CLIENT-ID/NAME}, both escaped. */
    static final String CLUSTER_DURABLE_PREFIX = "/durable/";

    static String clusterDurableQueue(String clientId, String name) {
        return CLUSTER_DURABLE_PREFIX + escape(clientId) + "/" + escape(name);
    }

    private static String escape(String part) {
        return part.replace("%", "%25").replace("/", "%2F");
    }

    /** A topic's channel on the bus. */
    public static String channel(String destination) {
        return TOPIC_CHANNEL_PREFIX + destination;
    }

    /** A message sent to a topic, as its channel orders and keeps it (the broker's message, no wire bytes). */
    public record TopicEvent(Message message) implements ChannelEvent {
        @Override
        public boolean retained() {
            return true;
        }

        @Override
        public long bytes() {
            return message.bytes();
        }
    }

    /** How topics' messages cross between the nodes of a cluster: the store's own encoding of a message. */
    public static final EventCodec TOPIC_CODEC = new EventCodec() {
        @Override
        public Encoded encode(ChannelEvent event) {
            return new Encoded(MessageCodec.encode(((TopicEvent) event).message()), null);
        }

        @Override
        public ChannelEvent decode(byte[] head, byte[] body) {
            try {
                Message message = MessageCodec.decode(head);
                return new TopicEvent(new Message(message.destination(), message.id(), message.headers(),
                        message.body(), false));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
    };

    /** One acknowledgement (or NACK) by a subscription, as a transaction collects them. */
    public record Acknowledgement(String key, String messageId, boolean ack) {
    }

    /**
     * What a new subscription gets first ({@code recovered}: null when no {@code since} was asked,
     * else whether {@code missed} is everything after it); {@link #begin()} delivers those and
     * starts the live ones. The protocol runs it after its answer to the SUBSCRIBE.
     */
    public static final class Start {
        private final Boolean recovered;
        private final Runnable begin;

        private Start(Boolean recovered, Runnable begin) {
            this.recovered = recovered;
            this.begin = begin;
        }

        public Boolean recovered() {
            return recovered;
        }

        public void begin() {
            begin.run();
        }

        static final Start NOW = new Start(null, () -> { });
    }

    private final MessageBus bus;
    private final FanOut fanOut;
    private final BrokerSettings limits;
    private final Holdings holdings;
    private final StoreWriter store;
    private final long topicLingerNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentMap<String, Queue> queues = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Topic> topics = new ConcurrentHashMap<>();
    /** Durable subscriptions by client id and name (in a cluster: those whose home is this node). */
    private final ConcurrentMap<DurableName, Durable> durables = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Registration> registrations = new ConcurrentHashMap<>();
    /** Queues, topics and durable subscriptions; a new one past {@code maxDestinations} is refused. */
    private final AtomicInteger destinations = new AtomicInteger();
    /** Messages in and out over the broker's life (a destination's own counters go when it is forgotten). */
    private final AtomicLong messagesIn = new AtomicLong();
    /** Deliveries, counted by every fan-out thread at once: an adder, not one contended counter. */
    private final java.util.concurrent.atomic.LongAdder messagesOut = new java.util.concurrent.atomic.LongAdder();
    /** Where queues run in a cluster, or null: one node, every queue here. */
    private final QueueHomes homes;
    /** How many times a SEND follows its queue to the next home when the one it went to dies first. */
    private static final int FORWARD_ATTEMPTS = 3;

    /**
     * @param store       where persistent messages and durable subscriptions go, or null to keep them in memory
     * @param topicLinger how long a topic without subscribers keeps its counters (its channel's recovery time)
     */
    public Broker(MessageBus bus, FanOut fanOut, BrokerSettings limits, MessageStore store, Duration topicLinger,
                  LongSupplier nanoTime) throws StoreException {
        this(bus, fanOut, limits, store, topicLinger, nanoTime, null);
    }

    /** @param homes where queues run when this broker is one node of a cluster (null: one node) */
    public Broker(MessageBus bus, FanOut fanOut, BrokerSettings limits, MessageStore store, Duration topicLinger,
                  LongSupplier nanoTime, QueueHomes homes) throws StoreException {
        this.bus = bus;
        this.fanOut = fanOut;
        this.limits = limits;
        this.holdings = new Holdings(limits.maxHeldBytes());
        this.store = new StoreWriter(store);
        this.topicLingerNanos = topicLinger.toNanos();
        this.nanoTime = nanoTime;
        this.homes = homes;
        if (store != null) {
            restore(store.open());
        }
        if (homes != null) {
            homes.onHomeLost(this::rehome);
            homes.onRejoined(this::rejoined);
        }
    }

    public Holdings holdings() {
        return holdings;
    }

    /** Whether persistent messages go to disk (else they live in memory like the others). */
    public boolean stores() {
        return store.enabled();
    }

    /**
     * Whether a SEND to {@code destination} must wait before its RECEIPT: for the store (a
     * persistent one), or for the queue's home on another node (a queue of a cluster).
     */
    public boolean sendWaits(String destination, boolean persistent) {
        return persistent && store.enabled() || homes != null && destination != null && !isTopic(destination);
    }

    /** Whether an ACK by {@code key} with a RECEIPT must wait before it: for the store, or the queue's home. */
    public boolean ackWaits(String key) {
        return store.enabled() || homes != null && !(registrations.get(key) instanceof OnTopic);
    }

    /** Null while the store works (or there is none); else what went wrong, for health and the monitor. */
    public String storeProblem() {
        return store.problem();
    }

    public static void checkDestination(String destination) throws BrokerException {
        if (destination == null) {
            throw BrokerException.invalid("missing header 'destination'");
        }
        boolean topic = destination.startsWith(TOPIC_PREFIX) && destination.length() > TOPIC_PREFIX.length();
        boolean queue = destination.startsWith(QUEUE_PREFIX) && destination.length() > QUEUE_PREFIX.length();
        if (!topic && !queue) {
            throw BrokerException.invalid("unknown destination '" + destination + "': use /topic/NAME or /queue/NAME");
        }
        if (destination.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_DESTINATION_BYTES) {
            throw BrokerException.limit("destination-too-long",
                    "destination names are at most " + MAX_DESTINATION_BYTES + " bytes");
        }
        for (int i = 0; i < destination.length(); i++) {
            if (Character.isISOControl(destination.charAt(i))) {
                throw BrokerException.invalid("a destination name has no control characters");
            }
        }
    }

    public static boolean isTopic(String destination) {
        return destination.startsWith(TOPIC_PREFIX);
    }

    private void newDestination(String destination) throws BrokerException {
        if (destinations.incrementAndGet() > limits.maxDestinations()) {
            destinations.decrementAndGet();
            throw BrokerException.limit("too-many-destinations", "no new destination " + destination + ": the broker has "
                    + limits.maxDestinations() + " (stomp.max-destinations)");
        }
    }

    // ---- sending and acknowledging ------------------------------------------------------------------

    /** One message: in the store (when persistent) and on its way before this returns. */
    public void send(Message message) throws BrokerException {
        commit(List.of(message), List.of(), false);
    }

    /**
     * A SEND whose store write is under way: once {@link #written} completes, {@link #go()} sends
     * the message on (or, when the write failed, {@link #undo()} gives back the room it took).
     * The caller runs these in the order its client sent the frames.
     */
    public static final class Pending {
        private final CompletableFuture<Void> written;
        private final Runnable go;
        private final Runnable undo;

        private Pending(CompletableFuture<Void> written, Runnable go, Runnable undo) {
            this.written = written;
            this.go = go;
            this.undo = undo;
        }

        public CompletableFuture<Void> written() {
            return written;
        }

        public void go() {
            go.run();
        }

        public void undo() {
            undo.run();
        }

        /** Nothing to write and nothing to do: a frame that only keeps its place in a line. */
        public static Pending done() {
            return new Pending(CompletableFuture.completedFuture(null), () -> { }, () -> { });
        }
    }

    /**
     * {@link #send} without waiting for the disk: room is taken now (refused at once when there is
     * none), the store write starts, and the caller sends the message on with {@link Pending#go()}
     * once it is written — so a connection's next frames need not wait for this one's force, and no
     * thread waits on the disk. A message that needs no write is ready at once.
     */
    public Pending sendAsync(Message message) throws BrokerException {
        Prepared ready = prepare(message);
        if (ready instanceof Forwarded) {
            return new Pending(forward(message, false, FORWARD_ATTEMPTS), () -> { }, () -> { });
        }
        MessageStore.Batch writes = new MessageStore.Batch();
        try {
            ready.storeIn(writes);
        } catch (BrokerException | RuntimeException e) {
            ready.undo();
            throw e;
        }
        CompletableFuture<Void> written = writes.isEmpty() ? CompletableFuture.completedFuture(null)
                : ready.writer().writeAsync(writes);
        return new Pending(written, ready::go, ready::undo);
    }

    /**
     * A SEND to a queue whose home is another node; when that home dies before answering, the SEND
     * follows the queue to its next home, marked as sent {@code again}: the next home took over
     * whatever the last one held, so a message it already has is not queued twice.
     */
    private CompletableFuture<Void> forward(Message message, boolean again, int attemptsLeft) {
        return homes.send(message, again).exceptionallyCompose(error -> {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (!(cause instanceof QueueHomes.HomeLost) || attemptsLeft <= 1) {
                return CompletableFuture.failedFuture(cause instanceof BrokerException ? cause
                        : BrokerException.store("the queue's node went: " + cause.getMessage()));
            }
            try {
                Prepared retry = prepare(message);
                if (retry instanceof Forwarded) {
                    return forward(message, true, attemptsLeft - 1);
                }
                if (homes.adopted(message.destination(), message.id())) {
                    retry.undo(); // this node took the queue over, and the message with it
                    return CompletableFuture.completedFuture(null);
                }
                MessageStore.Batch writes = new MessageStore.Batch();
                retry.storeIn(writes);
                return retry.writer().writeAsync(writes).whenComplete((done, failed) -> {
                    if (failed == null) {
                        retry.go();
                    } else {
                        retry.undo();
                    }
                });
            } catch (BrokerException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    /**
     * {@link #ack} without waiting for the disk: the store starts forgetting the messages the ACK
     * covers, and {@link Pending#go()} lets them go from their queue once that is on disk. Null
     * when there is nothing to acknowledge.
     */
    public Pending ackAsync(String key, String messageId) {
        Registration registration = registrations.get(key);
        if (registration instanceof OnQueue onQueue) {
            List<Queue.Entry> entries = onQueue.queue.covered(key, messageId);
            MessageStore.Batch writes = new MessageStore.Batch();
            for (Queue.Entry entry : entries) {
                if (entry.storeId != 0) {
                    writes.removeMessage(entry.storeId);
                }
            }
            return new Pending(onQueue.queue.store.writeAsync(writes), () -> onQueue.queue.acknowledged(key, entries),
                    () -> { });
        }
        if (registration instanceof Remote remote) {
            remote.consumer.acknowledged(messageId);
            return new Pending(homes.ack(remote.request.destination(), key, messageId), () -> { }, () -> { });
        }
        if (registration instanceof OnTopic onTopic) {
            return new Pending(CompletableFuture.completedFuture(null), () -> onTopic.subscription.ack(messageId), () -> { });
        }
        return null;
    }

    /** An ACK: the messages it covers are gone from the store before this returns when {@code durable}. */
    public void ack(String key, String messageId, boolean durable) throws BrokerException {
        commit(List.of(), List.of(new Acknowledgement(key, messageId, true)), durable);
    }

    /** A NACK: the messages it covers are delivered again (a queue's to another consumer when there is one). */
    public void nack(String key, String messageId) {
        Registration registration = registrations.get(key);
        if (registration instanceof OnQueue onQueue) {
            onQueue.queue.nack(key, messageId);
        } else if (registration instanceof OnTopic onTopic) {
            onTopic.subscription.nack(messageId);
        } else if (registration instanceof Remote remote) {
            remote.consumer.acknowledged(messageId);
            homes.nack(remote.request.destination(), key, messageId);
        }
    }

    /** Whether the subscription has {@code messageId} delivered and not yet acknowledged. */
    public boolean hasUnacked(String key, String messageId) {
        Registration registration = registrations.get(key);
        if (registration instanceof OnQueue onQueue) {
            return !onQueue.queue.covered(key, messageId).isEmpty();
        }
        if (registration instanceof Remote remote) {
            return remote.consumer.hasUnacked(messageId);
        }
        return registration instanceof OnTopic onTopic && onTopic.subscription.hasUnacked(messageId);
    }

    /**
     * Sends and acknowledges as one: every destination has room or nothing is sent; every
     * persistent message, and every persistent message acknowledged, is in one atomic write to the
     * store (forced to disk when anything is added, or when {@code durableAcks}); then the messages
     * go out and the acknowledged ones leave their queues. A STOMP COMMIT, or a single SEND or ACK.
     */
    public void commit(List<Message> sends, List<Acknowledgement> acks, boolean durableAcks) throws BrokerException {
        List<Prepared> prepared = new ArrayList<>(sends.size());
        // the broker's store, and (in a cluster) each queue's own, where its next home finds it
        Map<StoreWriter, MessageStore.Batch> writes = new java.util.IdentityHashMap<>();
        boolean adds = false;
        try {
            for (Message message : sends) {
                Prepared ready = prepare(message);
                prepared.add(ready);
                adds |= ready.storeIn(writes.computeIfAbsent(ready.writer(), w -> new MessageStore.Batch()));
            }
        } catch (BrokerException | RuntimeException e) {
            prepared.forEach(Prepared::undo);
            throw e;
        }
        List<Covered> covered = new ArrayList<>();
        java.util.Set<Long> removed = new java.util.HashSet<>(); // acks in one transaction may cover the same message
        List<CompletableFuture<Void>> remote = new ArrayList<>();
        for (Acknowledgement acknowledgement : acks) {
            if (!acknowledgement.ack) {
                continue;
            }
            Registration registration = registrations.get(acknowledgement.key);
            if (registration instanceof OnQueue onQueue) {
                List<Queue.Entry> entries = onQueue.queue.covered(acknowledgement.key, acknowledgement.messageId);
                covered.add(new Covered(acknowledgement, onQueue.queue, entries));
                for (Queue.Entry entry : entries) {
                    if (entry.storeId != 0 && removed.add(entry.storeId)) {
                        writes.computeIfAbsent(onQueue.queue.store, w -> new MessageStore.Batch()).removeMessage(entry.storeId);
                    }
                }
            } else if (registration != null) {
                covered.add(new Covered(acknowledgement, null, List.of()));
            }
        }
        try {
            // atomic per store: a cluster's transaction is atomic per queue home, not across them
            for (Map.Entry<StoreWriter, MessageStore.Batch> batch : writes.entrySet()) {
                batch.getKey().write(batch.getValue(), adds || durableAcks || batch.getKey() != store);
            }
        } catch (BrokerException e) {
            prepared.forEach(Prepared::undo);
            throw e;
        }
        for (Prepared ready : prepared) {
            if (ready instanceof Forwarded) {
                remote.add(forward(ready.message, false, FORWARD_ATTEMPTS));
            } else {
                ready.go();
            }
        }
        for (Covered done : covered) {
            Registration registration = registrations.get(done.acknowledgement.key);
            if (done.queue != null) {
                done.queue.acknowledged(done.acknowledgement.key, done.entries);
            } else if (registration instanceof OnTopic onTopic) {
                onTopic.subscription.ack(done.acknowledgement.messageId);
            } else if (registration instanceof Remote onRemote) {
                onRemote.consumer.acknowledged(done.acknowledgement.messageId);
                CompletableFuture<Void> acked = homes.ack(onRemote.request.destination(), done.acknowledgement.key,
                        done.acknowledgement.messageId);
                if (durableAcks) {
                    remote.add(acked);
                }
            }
        }
        for (Acknowledgement acknowledgement : acks) {
            if (!acknowledgement.ack) {
                nack(acknowledgement.key, acknowledgement.messageId);
            }
        }
        for (CompletableFuture<Void> answer : remote) {
            await(answer);
        }
    }

    /** How long a call waits for a queue's home on another node (the port's own answer comes first). */
    private static final Duration HOME_TIMEOUT = Duration.ofSeconds(35);

    private static void await(CompletableFuture<Void> answer) throws BrokerException {
        try {
            answer.get(HOME_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof BrokerException refused) {
                throw refused;
            }
            throw BrokerException.store("the queue's node failed: " + e.getCause().getMessage());
        } catch (java.util.concurrent.TimeoutException e) {
            throw BrokerException.store("the queue's node did not answer within " + HOME_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BrokerException.store("interrupted while waiting for the queue's node");
        }
    }

    /** A persistent message's content for the store; one too large for its records is refused, not stored in part. */
    private byte[] storable(Message message) throws BrokerException {
        byte[] content = MessageCodec.encode(message);
        if (content.length > store.maxContentBytes()) {
            throw BrokerException.limit("too-large-to-store", "a persistent message is at most " + store.maxContentBytes()
                    + " bytes (stomp.store.file-bytes); this one is " + content.length);
        }
        return content;
    }

    private record Covered(Acknowledgement acknowledgement, Queue queue, List<Queue.Entry> entries) {
    }

    /** Room taken on one queue for one message ({@code storeId} 0: not stored). */
    private record Copy(Queue queue, long storeId) {
    }

    /** A message with room taken everywhere it goes, not yet sent. */
    private abstract class Prepared {
        final Message message;
        final List<Copy> copies;

        Prepared(Message message, List<Copy> copies) {
            this.message = message;
            this.copies = copies;
        }

        /** Where its stored copies go: a queue's store, or the broker's (durable subscriptions' backlogs). */
        StoreWriter writer() {
            return copies.isEmpty() ? store : copies.get(0).queue.store;
        }

        void undo() {
            for (Copy copy : copies) {
                copy.queue.unreserve(message);
                forgetIfIdle(copy.queue);
            }
        }

        abstract void go();

        /** Adds the message's stored copies to {@code writes} (its content encoded once); whether there were any. */
        boolean storeIn(MessageStore.Batch writes) throws BrokerException {
            byte[] content = null;
            for (Copy copy : copies) {
                if (copy.storeId != 0) {
                    content = content != null ? content : storable(message);
                    writes.addMessage(copy.storeId, copy.queue.name, content);
                }
            }
            return content != null;
        }
    }

    private Prepared prepare(Message message) throws BrokerException {
        return isTopic(message.destination()) ? prepareTopic(message) : prepareQueue(message);
    }

    /** A message for a queue whose home is another node: nothing is held here. */
    private final class Forwarded extends Prepared {
        Forwarded(Message message) {
            super(message, List.of());
        }

        @Override
        void go() {
            throw new IllegalStateException("a forwarded message is sent by forward()");
        }
    }

    private Prepared prepareQueue(Message message) throws BrokerException {
        Queue queue;
        while (true) {
            queue = queueFor(message.destination());
            if (queue == null) {
                return new Forwarded(message);
            }
            try {
                if (queue.reserve(message)) {
                    break;
                }
            } catch (BrokerException e) {
                forgetIfIdle(queue); // a queue made for a SEND it refused is not kept
                throw e;
            }
        }
        Copy copy = new Copy(queue, queue.stores(message) ? queue.store.nextId() : 0);
        return new Prepared(message, List.of(copy)) {
            @Override
            void go() {
                messagesIn.incrementAndGet();
                copy.queue.enqueue(new Queue.Entry(message, copy.storeId, false));
            }
        };
    }

    private Prepared prepareTopic(Message message) throws BrokerException {
        String channel = channel(message.destination());
        if (fanOut.overloaded(channel)) {
            throw BrokerException.limit("topic-busy", "topic " + message.destination()
                    + " is still delivering earlier messages (fan-out.max-backlog); try later");
        }
        Topic topic = topics.get(message.destination());
        List<Copy> copies = new ArrayList<>();
        if (topic != null) {
            try {
                for (Durable durable : topic.durables.values()) {
                    if (Selector.selects(durable.selector, message)) {
                        durable.queue.reserve(message); // a durable's queue is never retired
                        copies.add(new Copy(durable.queue, durable.queue.stores(message) ? store.nextId() : 0));
                    }
                }
            } catch (BrokerException e) {
                for (Copy copy : copies) {
                    copy.queue.unreserve(message);
                }
                throw e;
            }
        }
        return new Prepared(message, copies) {
            @Override
            void go() {
                publish(topic, message, copies);
            }
        };
    }

    /** Numbered on the topic's channel and into each durable subscription's backlog, in that one order. */
    private void publish(Topic topic, Message message, List<Copy> copies) {
        messagesIn.incrementAndGet();
        String channel = channel(message.destination());
        if (topic == null) {
            // the channel exists while the topic has subscribers here, and for recovery.ttl after
            bus.publish(channel, new TopicEvent(message));
            return;
        }
        topic.messagesIn.incrementAndGet();
        topic.touch(nanoTime.getAsLong());
        synchronized (topic) {
            Sequenced sequenced = bus.publish(channel, new TopicEvent(message));
            Message numbered = sequenced == null ? message : message.at(sequenced.epoch(), sequenced.offset());
            for (Copy copy : copies) {
                copy.queue.enqueue(new Queue.Entry(numbered, copy.storeId, false));
            }
        }
    }

    private static Message numbered(Sequenced sequenced) {
        return ((TopicEvent) sequenced.event()).message().at(sequenced.epoch(), sequenced.offset());
    }

    /**
     * The queue, made if need be (counted against {@code maxDestinations}); it may be retired by the
     * time it is used. Null in a cluster when the queue's home is another node.
     */
    private Queue queueFor(String destination) throws BrokerException {
        Queue queue = queues.get(destination);
        if (queue != null) {
            return queue;
        }
        if (homes != null) {
            synchronized (queues) { // a queue taken over is made once, with what it held
                queue = queues.get(destination);
                if (queue != null) {
                    return queue;
                }
                // a node with no room for another destination claims none (made-up names claim nothing)
                QueueHomes.Home home = homes.home(destination, destinations.get() < limits.maxDestinations());
                if (home == null) {
                    throw BrokerException.limit("too-many-destinations", "no new destination " + destination
                            + ": the broker has " + limits.maxDestinations() + " (stomp.max-destinations)");
                }
                if (!home.here()) {
                    return null;
                }
                QueueHomes.DurableSubscription durable = null;
                if (destination.startsWith(CLUSTER_DURABLE_PREFIX)) {
                    durable = homes.durable(destination);
                    if (durable == null) {
                        throw BrokerException.invalid("no durable subscription " + destination + " (it has ended)");
                    }
                }
                if (home.adopted().isEmpty()) {
                    newDestination(destination);
                } else {
                    destinations.incrementAndGet(); // taken over whatever the bound: what it holds is not left behind
                }
                Queue made = new Queue(destination, durable == null ? "queue " + destination
                        : "durable subscription " + destination, limits, holdings, new StoreWriter(home.store()), true,
                        messagesOut);
                for (MessageStore.StoredMessage stored : home.adopted()) {
                    try {
                        made.restore(new Queue.Entry(MessageCodec.decode(stored.content()), stored.id(), stored.delivered()));
                    } catch (IOException e) {
                        LOG.warning("a message " + destination + " held is unreadable and is dropped: " + e.getMessage());
                    }
                }
                queues.put(destination, made);
                if (durable != null) {
                    keepDurableHere(destination, durable, made);
                }
                return made;
            }
        }
        newDestination(destination);
        Queue made = new Queue(destination, "queue " + destination, limits, holdings, store, messagesOut);
        queue = queues.putIfAbsent(destination, made);
        if (queue != null) {
            destinations.decrementAndGet(); // someone else made it first
            return queue;
        }
        return made;
    }

    /** A queue left idle — nothing held, no consumer — is forgotten, as an empty topic is (never a durable's). */
    private void forgetIfIdle(Queue queue) {
        if (clusterDurables.containsKey(queue.name)) {
            return; // a durable subscription's backlog lives until the subscription ends
        }
        if (homes != null) {
            synchronized (queues) { // no queue is made under its name while the grid forgets it
                if (queues.get(queue.name) == queue && queue.retireIfIdle() && queues.remove(queue.name, queue)) {
                    destinations.decrementAndGet();
                    homes.released(queue.name);
                }
            }
            return;
        }
        if (queues.get(queue.name) == queue && queue.retireIfIdle() && queues.remove(queue.name, queue)) {
            destinations.decrementAndGet();
        }
    }

    // ---- subscriptions ------------------------------------------------------------------------------

    /** What a subscription key names: a consumer of a queue (a durable subscription's too) or a topic subscription. */
    private sealed interface Registration permits OnQueue, OnTopic, Remote {
    }

    /** A consumer of a queue whose home is another node. */
    private record Remote(SubscriptionRequest request, RemoteConsumer consumer) implements Registration {
    }

    private record OnQueue(Queue queue, Durable durable) implements Registration {
    }

    private record OnTopic(Topic topic, TopicSubscription subscription) implements Registration {
    }

    /**
     * Registers a subscription. A queue's consumer starts at once; a topic subscription is attached
     * to its channel and, for {@code since}, given what the topic kept after it, delivered when the
     * caller begins the returned start; a durable subscription gets its backlog.
     */
    public Start subscribe(SubscriptionRequest request, Subscriber subscriber) throws BrokerException {
        if (registrations.containsKey(request.key())) {
            throw BrokerException.invalid("subscription '" + request.key() + "' exists already");
        }
        if (request.durable()) {
            if (!isTopic(request.destination())) {
                throw BrokerException.invalid("durable-subscription-name is for topics: a queue keeps its messages anyway");
            }
            if (request.clientId() == null) {
                throw BrokerException.invalid("a durable subscription needs the connection's client-id (CONNECT header)");
            }
            if (homes != null) {
                subscribeClusterDurable(request, subscriber);
            } else {
                subscribeDurable(request, subscriber);
            }
            return Start.NOW;
        }
        if (!isTopic(request.destination())) {
            subscribeQueue(request, subscriber);
            return Start.NOW;
        }
        Topic topic = topicFor(request.destination());
        TopicSubscription subscription = new TopicSubscription(request, subscriber, limits, holdings, topic.messagesOut,
                messagesOut);
        topic.subscriptions.put(request.key(), subscription);
        registrations.put(request.key(), new OnTopic(topic, subscription));
        String channel = channel(request.destination());
        subscription.attachment = fanOut.attach(channel, delivery -> subscription.offer(
                delivery.encoded(Broker.class, Broker::numbered), delivery));
        if (request.since() == null) {
            return new Start(null, subscription.attachment::start);
        }
        try {
            // no history for a topic: what was missed, or nothing
            Replay replay = bus.replay(channel, request.since(), subscription.attachment.position(), 0);
            List<Message> missed = replay.events().stream().map(Broker::numbered).toList();
            return new Start(replay.recovered(), () -> {
                missed.forEach(message -> subscription.offer(message, null));
                subscription.attachment.start();
            });
        } catch (RuntimeException e) {
            unsubscribe(request.key()); // a SUBSCRIBE that fails leaves nothing behind
            throw e;
        }
    }

    private void subscribeQueue(SubscriptionRequest request, Subscriber subscriber) throws BrokerException {
        Queue.Consumer consumer = new Queue.Consumer(request.key(), subscriber, request.ack(), request.prefetch(),
                request.selector());
        while (true) {
            Queue queue = queueFor(request.destination());
            if (queue == null) {
                RemoteConsumer remote = new RemoteConsumer(subscriber, request.ack());
                registrations.put(request.key(), new Remote(request, remote));
                try {
                    await(homes.subscribe(request, remote));
                } catch (BrokerException e) {
                    registrations.remove(request.key());
                    throw e;
                }
                return;
            }
            Durable durable = clusterDurables.get(queue.name);
            if (durable != null) {
                synchronized (durables) {
                    if (durable.activeKey != null) {
                        throw BrokerException.conflict("durable-in-use", "durable subscription '" + durable.name.name
                                + "' of client '" + durable.name.clientId + "' is in use by another connection");
                    }
                    durable.activeKey = request.key();
                }
                // the selector chose what entered the backlog: the consumer takes all of it
                consumer = new Queue.Consumer(request.key(), subscriber, request.ack(), request.prefetch(), null);
            }
            registrations.put(request.key(), new OnQueue(queue, durable));
            if (queue.addConsumer(consumer)) {
                return;
            }
        }
    }

    // ---- durable subscriptions in a cluster ------------------------------------------------------------

    /** Durable subscriptions homed here, by their queue's name. */
    private final ConcurrentMap<String, Durable> clusterDurables = new ConcurrentHashMap<>();

    /**
     * A durable subscription in a cluster: made in the cluster's list unless it is there (another
     * topic or selector ends the old one first, as on one node), then a consumer of its queue,
     * wherever that queue's home is.
     */
    private void subscribeClusterDurable(SubscriptionRequest request, Subscriber subscriber) throws BrokerException {
        String queue = clusterDurableQueue(request.clientId(), request.durableName());
        String selector = request.selector() == null ? null : request.selector().text();
        QueueHomes.DurableSubscription wanted = new QueueHomes.DurableSubscription(request.destination(), selector,
                null, 0);
        QueueHomes.DurableSubscription known = homes.createDurable(queue, wanted);
        if (!known.topic().equals(request.destination()) || !Objects.equals(known.selector(), selector)) {
            endDurable(request.clientId(), request.durableName());
            known = homes.createDurable(queue, wanted);
        }
        subscribeQueue(new SubscriptionRequest(request.key(), queue, request.ack(), request.prefetch(), null,
                request.clientId(), null, null), subscriber);
    }

    /**
     * This node is the durable subscription's home: its queue takes the topic's messages from the
     * topic's log — from where the last home left off (missed ones read back from the log; a gap
     * longer than the log keeps is logged), then live — each in the grid before it is queued, and
     * the point reached is kept with the subscription for the next home.
     */
    private void keepDurableHere(String queue, QueueHomes.DurableSubscription known, Queue backlog)
            throws BrokerException {
        int slash = queue.indexOf('/', CLUSTER_DURABLE_PREFIX.length());
        DurableName name = new DurableName(
                queue.substring(CLUSTER_DURABLE_PREFIX.length(), slash).replace("%2F", "/").replace("%25", "%"),
                queue.substring(slash + 1).replace("%2F", "/").replace("%25", "%"));
        Durable durable = new Durable(0, name, known.topic(), Selector.parse(known.selector()), backlog);
        durable.clusterState = known;
        clusterDurables.put(queue, durable);
        durables.put(name, durable);
        String channel = channel(known.topic());
        durable.attachment = fanOut.attach(channel, delivery -> takeForDurable(durable,
                delivery.encoded(Broker.class, Broker::numbered)));
        if (known.epoch() == null) {
            // new: it takes what comes after this point of the log, and a next home starts here too
            dev.switchboard.bus.Position at = durable.attachment.position();
            durable.clusterState = new QueueHomes.DurableSubscription(known.topic(), known.selector(), at.epoch(),
                    at.offset());
            homes.durableAt(queue, durable.clusterState);
        } else {
            Replay replay = bus.replay(channel, new Since(known.epoch(), known.offset()),
                    durable.attachment.position(), 0);
            if (!Boolean.TRUE.equals(replay.recovered())) {
                LOG.warning("durable subscription " + queue + " missed messages of " + known.topic()
                        + " while it had no node: the topic's log no longer had them");
            }
            for (Sequenced missed : replay.events()) {
                takeForDurable(durable, numbered(missed));
            }
        }
        durable.attachment.start();
    }

    /** One message of the topic for a durable subscription homed here, in the topic's order. */
    private void takeForDurable(Durable durable, Message message) {
        synchronized (durable) {
            if (durable.ended) {
                return;
            }
            QueueHomes.DurableSubscription at = durable.clusterState;
            long offset = message.offset();
            if (at.epoch() != null && at.epoch().equals(message.epoch()) && offset <= at.offset()) {
                return; // taken already (read back from the log, then live)
            }
            durable.clusterState = new QueueHomes.DurableSubscription(at.topic(), at.selector(), message.epoch(), offset);
            if (!Selector.selects(durable.selector, message) || homes.adopted(durable.queue.name, message.id())) {
                homes.durableAt(durable.queue.name, durable.clusterState);
                return;
            }
            try {
                durable.queue.reserve(message);
            } catch (BrokerException full) {
                LOG.warning(durable.queue.label + " is full; a message of " + at.topic() + " is not kept for it: "
                        + full.getMessage());
                homes.durableAt(durable.queue.name, durable.clusterState);
                return;
            }
            long id = durable.queue.store.nextId();
            try {
                durable.queue.store.now(new MessageStore.Batch().addMessage(id, durable.queue.name, storable(message)));
            } catch (BrokerException e) {
                durable.queue.unreserve(message);
                LOG.warning(durable.queue.label + " could not keep a message of " + at.topic() + ": " + e.getMessage());
                return;
            }
            homes.durableAt(durable.queue.name, durable.clusterState);
            durable.queue.enqueue(new Queue.Entry(message, id, false));
        }
    }

    /**
     * The home of {@code queue} went: this node's consumers of it subscribe again, at its next home
     * (perhaps this node). What the last home had handed them and not seen acknowledged comes again
     * from there, redelivered.
     */
    private void rehome(String queue) {
        if (queue.startsWith(CLUSTER_DURABLE_PREFIX) && homes.durable(queue) != null) {
            try {
                queueFor(queue); // this node, or whoever claimed it first, collects its topic's messages again
            } catch (BrokerException | RuntimeException e) {
                LOG.warning("durable subscription " + queue + " could not move to this node: " + e.getMessage());
            }
        }
        for (Map.Entry<String, Registration> entry : registrations.entrySet()) {
            if (entry.getValue() instanceof Remote remote && remote.request.destination().equals(queue)
                    && registrations.remove(entry.getKey(), remote)) {
                remote.consumer.forgetUnacked();
                resubscribe(remote.request, remote.consumer.subscriber());
            }
        }
    }

    /**
     * Back in the grid after a split, during which the others took over what this node ran: every
     * queue and durable subscription run here is given up (the grid keeps their messages; each
     * home the grid names now is told to look for the ones stored here meanwhile), and every
     * consumer on this node subscribes again at its queue's home as the grid names it now.
     */
    private void rejoined() {
        List<Runnable> moves = new ArrayList<>();
        List<String> givenUp = new ArrayList<>();
        synchronized (queues) {
            for (Queue queue : new ArrayList<>(queues.values())) {
                Durable durable = clusterDurables.remove(queue.name);
                if (durable != null) {
                    synchronized (durable) {
                        durable.attachment.close();
                        durable.ended = true;
                    }
                    durables.remove(durable.name, durable);
                }
                if (queues.remove(queue.name, queue)) {
                    destinations.decrementAndGet();
                }
                givenUp.add(queue.name);
                for (Queue.Consumer consumer : queue.giveUp()) {
                    Registration registration = registrations.get(consumer.key);
                    if (registration instanceof OnQueue onQueue && onQueue.queue == queue
                            && registrations.remove(consumer.key, registration)) {
                        SubscriptionRequest again = new SubscriptionRequest(consumer.key, queue.name, consumer.ack,
                                consumer.prefetch, consumer.selector, null, null, null);
                        moves.add(() -> resubscribe(again, consumer.subscriber));
                    }
                }
            }
        }
        // the homes of the others forgot this node's consumers when it was dropped
        for (Map.Entry<String, Registration> entry : registrations.entrySet()) {
            if (entry.getValue() instanceof Remote remote && registrations.remove(entry.getKey(), remote)) {
                remote.consumer.forgetUnacked();
                moves.add(() -> resubscribe(remote.request, remote.consumer.subscriber()));
            }
        }
        LOG.warning("back in the cluster after a split: gave up " + givenUp.size() + " queues run here, moving "
                + moves.size() + " consumers to their queues' homes");
        moves.forEach(Runnable::run);
        givenUp.forEach(homes::recount);
    }

    private void resubscribe(SubscriptionRequest request, Subscriber subscriber) {
        try {
            subscribeQueue(request, subscriber);
        } catch (BrokerException | RuntimeException e) {
            LOG.warning("a consumer of " + request.destination() + " could not follow it: " + e.getMessage());
            subscriber.refused(e instanceof BrokerException refused ? refused
                    : BrokerException.store("the queue's node went: " + e.getMessage()));
        }
    }

    /**
     * What the grid keeps for {@code queue}, run here, after a split healed: those a node stored
     * while it was split off and this node does not hold join the queue, marked redelivered.
     */
    public void recount(String queue, List<MessageStore.StoredMessage> kept) {
        Queue running = queues.get(queue);
        if (running == null) {
            return; // not run here now: whoever takes it over reads all of it
        }
        java.util.Set<Long> held = new java.util.HashSet<>(running.storedIds());
        List<Queue.Entry> found = new ArrayList<>();
        for (MessageStore.StoredMessage stored : kept) {
            if (!held.contains(stored.id())) {
                try {
                    found.add(new Queue.Entry(MessageCodec.decode(stored.content()), stored.id(), true));
                } catch (IOException e) {
                    LOG.warning("a message " + queue + " kept is unreadable and is dropped: " + e.getMessage());
                }
            }
        }
        if (!found.isEmpty()) {
            LOG.warning(queue + " found " + found.size() + " messages stored while a node was split off");
            running.takeBack(found);
        }
    }

    private Topic topicFor(String destination) throws BrokerException {
        BrokerException[] refused = new BrokerException[1];
        Topic topic = topics.computeIfAbsent(destination, name -> {
            try {
                newDestination(name);
                return new Topic(name, nanoTime.getAsLong());
            } catch (BrokerException e) {
                refused[0] = e;
                return null;
            }
        });
        if (topic == null) {
            throw refused[0];
        }
        topic.touch(nanoTime.getAsLong());
        return topic;
    }

    private void subscribeDurable(SubscriptionRequest request, Subscriber subscriber) throws BrokerException {
        if (!isTopic(request.destination())) {
            throw BrokerException.invalid("durable-subscription-name is for topics: a queue keeps its messages anyway");
        }
        if (request.clientId() == null) {
            throw BrokerException.invalid("a durable subscription needs the connection's client-id (CONNECT header)");
        }
        DurableName name = new DurableName(request.clientId(), request.durableName());
        Durable durable;
        synchronized (durables) {
            durable = durables.get(name);
            if (durable != null && durable.activeKey != null) {
                throw BrokerException.conflict("durable-in-use", "durable subscription '" + name.name + "' of client '"
                        + name.clientId + "' is in use by another connection");
            }
            String selector = request.selector() == null ? null : request.selector().text();
            if (durable != null && (!durable.topic.equals(request.destination())
                    || !Objects.equals(durable.selectorText(), selector))) {
                // another topic or selector is another subscription (as in JMS): the old one and its backlog end
                end(durable);
                durable = null;
            }
            if (durable == null) {
                durable = createDurable(name, request.destination(), request.selector());
            }
            durable.activeKey = request.key();
        }
        registrations.put(request.key(), new OnQueue(durable.queue, durable));
        // the selector chose what entered the backlog: the consumer takes all of it
        durable.queue.addConsumer(new Queue.Consumer(request.key(), subscriber, request.ack(), request.prefetch(), null));
    }

    private Durable createDurable(DurableName name, String destination, Selector selector) throws BrokerException {
        Topic topic = topicFor(destination);
        newDestination("durable subscription " + name.name);
        long id = store.nextId();
        Durable durable = new Durable(id, name, destination, selector, durableQueue(id, name));
        try {
            store.now(new MessageStore.Batch().addSubscription(new MessageStore.StoredSubscription(id, name.clientId,
                    name.name, destination, durable.selectorText())));
        } catch (BrokerException e) {
            destinations.decrementAndGet();
            throw e;
        }
        durables.put(name, durable);
        topic.durables.put(name, durable);
        return durable;
    }

    private Queue durableQueue(long id, DurableName name) {
        return new Queue(DURABLE_QUEUE_PREFIX + id, "durable subscription '" + name.name + "' of client '"
                + name.clientId + "'", limits, holdings, store, messagesOut);
    }

    /** Ends a subscription: a queue's unacknowledged messages go back, a durable subscription is away. */
    public void unsubscribe(String key) {
        Registration registration = registrations.remove(key);
        if (registration instanceof OnQueue onQueue) {
            onQueue.queue.removeConsumer(key);
            if (onQueue.durable != null) {
                synchronized (durables) {
                    if (key.equals(onQueue.durable.activeKey)) {
                        onQueue.durable.activeKey = null;
                    }
                }
            } else {
                forgetIfIdle(onQueue.queue);
            }
        } else if (registration instanceof Remote remote) {
            homes.unsubscribe(remote.request.destination(), key);
        } else if (registration instanceof OnTopic onTopic) {
            onTopic.subscription.cancel();
            onTopic.topic.subscriptions.remove(key);
            onTopic.topic.touch(nanoTime.getAsLong());
            if (topicLingerNanos == 0) {
                forgetIfIdle(onTopic.topic);
            }
        }
    }

    private void forgetIfIdle(Topic topic) {
        topics.computeIfPresent(topic.destination, (name, known) -> {
            if (known == topic && topic.idleSince(nanoTime.getAsLong()) >= topicLingerNanos
                    && topic.subscriptions.isEmpty() && topic.durables.isEmpty()) {
                destinations.decrementAndGet();
                return null;
            }
            return known;
        });
    }

    /** UNSUBSCRIBE with the durable subscription's name: it ends for good, and its backlog with it. */
    public void endDurable(String clientId, String durableName) throws BrokerException {
        if (clientId == null) {
            throw BrokerException.invalid("ending a durable subscription needs the connection's client-id");
        }
        if (homes != null) {
            String queue = clusterDurableQueue(clientId, durableName);
            if (homes.durable(queue) == null) {
                throw BrokerException.invalid("no durable subscription '" + durableName + "' of client '" + clientId + "'");
            }
            if (queueFor(queue) == null) {
                await(homes.endDurable(queue, clientId, durableName));
                return;
            }
        }
        synchronized (durables) {
            Durable durable = durables.get(new DurableName(clientId, durableName));
            if (durable == null) {
                throw BrokerException.invalid("no durable subscription '" + durableName + "' of client '" + clientId + "'");
            }
            if (durable.activeKey != null) {
                throw BrokerException.conflict("durable-in-use", "durable subscription '" + durableName
                        + "' is in use; UNSUBSCRIBE it on the connection that has it");
            }
            end(durable);
        }
    }

    /** Caller holds the durables' lock. */
    private void end(Durable durable) throws BrokerException {
        if (durable.attachment != null) { // a cluster's: its queue is in the grid, its record in the cluster's list
            synchronized (durable) { // no message is being taken for it when it ends
                durable.attachment.close();
                durable.ended = true;
            }
            MessageStore.Batch removals = new MessageStore.Batch();
            durable.queue.storedIds().forEach(removals::removeMessage);
            durable.queue.store.now(removals);
            durable.queue.clear();
            homes.forgetDurable(durable.queue.name);
            clusterDurables.remove(durable.queue.name);
            durables.remove(durable.name);
            if (queues.remove(durable.queue.name, durable.queue)) {
                destinations.decrementAndGet();
            }
            return;
        }
        MessageStore.Batch writes = new MessageStore.Batch().removeSubscription(durable.storeId);
        durable.queue.storedIds().forEach(writes::removeMessage);
        store.now(writes);
        durable.queue.clear();
        durables.remove(durable.name);
        Topic topic = topics.get(durable.topic);
        if (topic != null) {
            topic.durables.remove(durable.name);
            topic.touch(nanoTime.getAsLong());
        }
        destinations.decrementAndGet();
    }

    /**
     * Forgets topics that have had no subscriber (durable or not) for the linger time; their
     * counters go with them. Run from the broker's sweep.
     */
    public void sweep() {
        long now = nanoTime.getAsLong();
        for (Topic topic : topics.values()) {
            if (topic.idleSince(now) > topicLingerNanos) {
                forgetIfIdle(topic);
            }
        }
    }

    // ---- restart -----------------------------------------------------------------------------------

    private void restore(MessageStore.Contents contents) {
        Map<String, Durable> byQueue = new HashMap<>();
        for (MessageStore.StoredSubscription stored : contents.subscriptions()) {
            try {
                DurableName name = new DurableName(stored.clientId(), stored.name());
                Durable durable = new Durable(stored.id(), name, stored.topic(), Selector.parse(stored.selector()),
                        durableQueue(stored.id(), name));
                Topic topic = topics.computeIfAbsent(stored.topic(), t -> new Topic(t, nanoTime.getAsLong()));
                durables.put(name, durable);
                topic.durables.put(name, durable);
                byQueue.put(durable.queue.name, durable);
            } catch (BrokerException e) {
                LOG.warning("durable subscription " + stored.name() + " not restored: " + e.getMessage());
            }
        }
        MessageStore.Batch orphans = new MessageStore.Batch();
        for (MessageStore.StoredMessage stored : contents.messages()) {
            Message message;
            try {
                message = MessageCodec.decode(stored.content());
            } catch (IOException e) {
                LOG.warning("stored message " + stored.id() + " is unreadable and is dropped: " + e.getMessage());
                orphans.removeMessage(stored.id());
                continue;
            }
            Queue queue;
            if (stored.queue().startsWith(DURABLE_QUEUE_PREFIX)) {
                Durable durable = byQueue.get(stored.queue());
                if (durable == null) {
                    orphans.removeMessage(stored.id()); // its subscription ended before the crash
                    continue;
                }
                queue = durable.queue;
            } else {
                queue = queues.computeIfAbsent(stored.queue(), name -> new Queue(name, "queue " + name, limits, holdings,
                        store, messagesOut));
            }
            queue.restore(new Queue.Entry(message, stored.id(), stored.delivered()));
        }
        destinations.set(queues.size() + topics.size() + durables.size());
        store.soon(orphans);
        LOG.fine("broker restored " + contents.messages().size() + " persistent messages in " + queues.size()
                + " queues and " + durables.size() + " durable subscriptions");
    }

    // ---- what the monitor shows ---------------------------------------------------------------------

    /** Persistent messages held now (queues and durable backlogs), without sorting anything: for metrics. */
    public long persistentMessages() {
        long persistent = 0;
        for (Queue queue : queues.values()) {
            persistent += queue.stats().persistent();
        }
        for (Durable durable : durables.values()) {
            persistent += durable.queue.stats().persistent();
        }
        return persistent;
    }

    public int durableSubscriptions() {
        return durables.size();
    }

    /**
     * Destination counters for the monitor page: {@code depth} messages waiting, {@code bytes} held
     * (a queue's waiting and unacknowledged messages; 0 for a topic), {@code persistent} of those in
     * the store, {@code unacked} delivered and not acknowledged, {@code redelivered} over its life,
     * {@code durable} a topic's durable subscriptions.
     */
    public record DestinationStats(String destination, String kind, int subscribers, int depth, long bytes,
                                   long messagesIn, long messagesOut, int persistent, int unacked, long redelivered,
                                   int durable) {
    }

    /** A durable subscription: {@code active} while a client has it, {@code backlog} messages waiting for it. */
    public record DurableStats(String clientId, String name, String topic, String selector, boolean active, int backlog,
                               int unacked, int persistent) {
    }

    /**
     * One subscription as the monitor lists it: its key (the protocol's session and subscription
     * ids), its destination (a durable subscription's topic), and a durable subscription's name.
     */
    public record SubscriptionStats(String key, String destination, String kind, String durableName) {
    }

    /**
     * At most {@code limit} subscriptions (queue consumers, topic subscriptions, active durable
     * subscriptions), by key. Read-only: a snapshot of the registrations, nothing locked.
     */
    public List<SubscriptionStats> subscriptions(int limit) {
        List<SubscriptionStats> list = new ArrayList<>();
        for (Map.Entry<String, Registration> entry : registrations.entrySet()) {
            Registration registration = entry.getValue();
            if (registration instanceof OnQueue onQueue) {
                Durable durable = onQueue.durable();
                list.add(durable != null
                        ? new SubscriptionStats(entry.getKey(), durable.topic, "topic", durable.name.name())
                        : new SubscriptionStats(entry.getKey(), onQueue.queue().name, "queue", null));
            } else if (registration instanceof OnTopic onTopic) {
                list.add(new SubscriptionStats(entry.getKey(), onTopic.topic().destination, "topic", null));
            } else if (registration instanceof Remote remote) {
                list.add(new SubscriptionStats(entry.getKey(), remote.request.destination(), "queue", null));
            }
        }
        list.sort(java.util.Comparator.comparing(SubscriptionStats::key));
        return list.size() > limit ? List.copyOf(list.subList(0, limit)) : list;
    }

    /** The whole broker at a glance, whatever page of destinations is asked for. */
    public record Totals(int destinations, int queues, int topics, long queuedMessages, long queuedBytes,
                         long unackedTopicBytes, long transactionBytes, long heldBytes, long messagesIn,
                         long messagesOut, long persistentMessages, int durableSubscriptions) {
    }

    /** One page of destinations (and of durable subscriptions), in name order, and the totals. */
    public record Page(Totals totals, int offset, List<DestinationStats> destinations, List<DurableStats> durables) {
    }

    /**
     * {@code limit} destinations from {@code offset} in name order, and as many durable
     * subscriptions, and the totals over all. Only the page's entries are built: the cost of a big
     * broker is one sort of its names.
     */
    public Page page(int offset, int limit) {
        List<String> names = new ArrayList<>(queues.size() + topics.size());
        long queuedMessages = 0;
        long persistent = 0;
        int queueCount = 0;
        for (Queue queue : queues.values()) {
            names.add(queue.name);
            queueCount++;
            Queue.Stats stats = queue.stats();
            queuedMessages += stats.held();
            persistent += stats.persistent();
        }
        int topicCount = 0;
        for (Topic topic : topics.values()) {
            names.add(topic.destination);
            topicCount++;
        }
        List<Durable> allDurables = new ArrayList<>(durables.values());
        for (Durable durable : allDurables) {
            Queue.Stats stats = durable.queue.stats();
            queuedMessages += stats.held();
            persistent += stats.persistent();
        }
        names.sort(null);
        int from = Math.min(Math.max(0, offset), names.size());
        int to = (int) Math.min(names.size(), (long) from + Math.max(0, limit));
        List<DestinationStats> page = new ArrayList<>(to - from);
        for (String name : names.subList(from, to)) {
            Queue queue = queues.get(name);
            Topic topic = topics.get(name);
            if (queue != null) {
                Queue.Stats s = queue.stats();
                page.add(new DestinationStats(name, "queue", s.consumers(), s.depth(), s.heldBytes(), s.enqueued(),
                        s.dispatched(), s.persistent(), s.unacked(), s.redelivered(), 0));
            } else if (topic != null) {
                int unacked = 0;
                for (TopicSubscription subscription : topic.subscriptions.values()) {
                    unacked += subscription.unackedCount();
                }
                page.add(new DestinationStats(name, "topic", topic.subscriptions.size(), 0, 0, topic.messagesIn.get(),
                        topic.messagesOut.sum(), 0, unacked, 0, topic.durables.size()));
            }
        }
        allDurables.sort(java.util.Comparator.comparing((Durable d) -> d.name.clientId).thenComparing(d -> d.name.name));
        List<DurableStats> durablePage = new ArrayList<>();
        for (Durable durable : allDurables.subList(Math.min(from, allDurables.size()),
                (int) Math.min(allDurables.size(), (long) Math.min(from, allDurables.size()) + Math.max(0, limit)))) {
            Queue.Stats s = durable.queue.stats();
            durablePage.add(new DurableStats(durable.name.clientId, durable.name.name, durable.topic,
                    durable.selectorText(), durable.activeKey != null, s.depth(), s.unacked(), s.persistent()));
        }
        return new Page(new Totals(names.size() + allDurables.size(), queueCount, topicCount, queuedMessages,
                holdings.of(Holdings.Kind.QUEUED), holdings.of(Holdings.Kind.UNACKED_ON_TOPIC),
                holdings.of(Holdings.Kind.IN_TRANSACTION), holdings.total(), messagesIn.get(), messagesOut.sum(),
                persistent, allDurables.size()), from, page, durablePage);
    }

    @Override
    public void close() {
        // the store belongs to whoever made it
    }

    // ---- destinations -------------------------------------------------------------------------------

    /** A topic this node knows: its subscriptions, durable subscriptions and counters. */
    private static final class Topic {
        final String destination;
        final ConcurrentMap<String, TopicSubscription> subscriptions = new ConcurrentHashMap<>();
        final ConcurrentMap<DurableName, Durable> durables = new ConcurrentHashMap<>();
        final AtomicLong messagesIn = new AtomicLong();
        final java.util.concurrent.atomic.LongAdder messagesOut = new java.util.concurrent.atomic.LongAdder();
        private volatile long lastActive;

        Topic(String destination, long now) {
            this.destination = destination;
            this.lastActive = now;
        }

        void touch(long now) {
            lastActive = now;
        }

        /** How long it has been without any subscriber; 0 while it has one. */
        long idleSince(long now) {
            return subscriptions.isEmpty() && durables.isEmpty() ? now - lastActive : 0;
        }
    }

    private record DurableName(String clientId, String name) {
    }

    /** A durable topic subscription: its backlog is a queue with at most one consumer, the active client. */
    private static final class Durable {
        final long storeId;
        final DurableName name;
        final String topic;
        final Selector selector;
        final Queue queue;
        /** The key of the subscription that has it now, or null while it is away. Guarded by the durables' lock. */
        String activeKey;
        /** In a cluster: what takes its topic's messages on this node, its home; else null. */
        FanOut.Attachment attachment;
        /** In a cluster: how far into the topic's log it has taken messages. Guarded by the durable. */
        QueueHomes.DurableSubscription clusterState;
        /** In a cluster: ended; nothing more is taken for it. Guarded by the durable. */
        boolean ended;

        Durable(long storeId, DurableName name, String topic, Selector selector, Queue queue) {
            this.storeId = storeId;
            this.name = name;
            this.topic = topic;
            this.selector = selector;
            this.queue = queue;
        }

        String selectorText() {
            return selector == null ? null : selector.text();
        }
    }
}
