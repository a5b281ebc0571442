package dev.switchboard.broker;

import dev.switchboard.broker.store.MessageStore;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A queue: each message goes to exactly one consumer, round-robin among those with room
 * ({@code prefetch-count}) whose selector takes it; messages no consumer takes wait, in order. The
 * queue owns its messages until they are acknowledged: waiting ones and each consumer's
 * unacknowledged ones. A NACKed message goes to another consumer when there is one, else back to
 * the same; the unacknowledged messages of a consumer that goes away go back to the head of the
 * queue, in order. Redeliveries carry {@code redelivered:true}. No message is ever dropped
 * silently. A durable subscription's backlog is a queue with at most one consumer.
 * <p>
 * Bounded: at most {@code queueDepth} messages and {@code queueBytes} bytes, waiting and
 * unacknowledged together (a consumer that never ACKs would otherwise be a hole in the bound).
 * <p>
 * Deliveries are decided under the queue's lock and handed to subscribers after it, in that order,
 * by one thread at a time ({@link #flush()}): a slow encoder never holds the queue.
 */
final class Queue {

    /** A message the queue holds; {@code storeId} 0 when it is not in the store. */
    static final class Entry {
        final Message message;
        final long storeId;
        boolean redelivered;
        /** The store knows it was handed out (so it comes back redelivered after a restart). */
        boolean markedDelivered;

        Entry(Message message, long storeId, boolean redelivered) {
            this.message = message;
            this.storeId = storeId;
            this.redelivered = redelivered;
            this.markedDelivered = redelivered;
        }
    }

    /** One consumer of the queue, found by its key. */
    static final class Consumer {
        final String key;
        final Subscriber subscriber;
        final AckMode ack;
        final int prefetch;
        final Selector selector;
        final LinkedHashMap<String, Entry> unacked = new LinkedHashMap<>();

        Consumer(String key, Subscriber subscriber, AckMode ack, int prefetch, Selector selector) {
            this.key = key;
            this.subscriber = subscriber;
            this.ack = ack;
            this.prefetch = ack == AckMode.AUTO ? 0 : prefetch;
            this.selector = selector;
        }

        boolean hasRoom() {
            return prefetch == 0 || unacked.size() < prefetch;
        }
    }

    private record Handover(Consumer consumer, Message message, boolean redelivered) {
    }

    final String name;
    /** How errors and the monitor name it: "queue /queue/x", "durable subscription …". */
    final String label;
    private final BrokerSettings limits;
    private final Holdings holdings;
    /** Where its stored messages go: the broker's store, or (a queue of a cluster) where the next home finds them. */
    final StoreWriter store;
    /** Every message is stored, persistent or not (a queue of a cluster: its next home needs all of them). */
    private final boolean storesAll;
    private final ArrayDeque<Entry> waiting = new ArrayDeque<>();
    private final List<Consumer> consumers = new ArrayList<>();
    private int held;
    private long heldBytes;
    private int persistentHeld;
    private int next;
    private long enqueued;
    private long dispatched;
    private long redeliveries;
    /** Removed from the broker: operations must look the destination up again. Guarded by this. */
    private boolean retired;

    private final ArrayDeque<Handover> outbox = new ArrayDeque<>();
    private MessageStore.Batch storeSoon = new MessageStore.Batch();
    private boolean flushing;

    /** The broker's count of messages out. */
    private final java.util.concurrent.atomic.LongAdder brokerOut;

    Queue(String name, String label, BrokerSettings limits, Holdings holdings, StoreWriter store,
          java.util.concurrent.atomic.LongAdder brokerOut) {
        this(name, label, limits, holdings, store, false, brokerOut);
    }

    Queue(String name, String label, BrokerSettings limits, Holdings holdings, StoreWriter store, boolean storesAll,
          java.util.concurrent.atomic.LongAdder brokerOut) {
        this.brokerOut = brokerOut;
        this.name = name;
        this.label = label;
        this.limits = limits;
        this.holdings = holdings;
        this.store = store;
        this.storesAll = storesAll;
    }

    /** Whether {@code message} goes to the store with this queue. */
    boolean stores(Message message) {
        return store.enabled() && (storesAll || message.persistent());
    }

    // ---- messages in ----------------------------------------------------------------------------

    /**
     * Makes room for a message about to be stored and enqueued; refused when the queue or the
     * broker is full. False when the queue was retired meanwhile (look it up again).
     */
    synchronized boolean reserve(Message message) throws BrokerException {
        if (retired) {
            return false;
        }
        long bytes = message.bytes();
        if (held >= limits.queueDepth() || heldBytes + bytes > limits.queueBytes()) {
            throw BrokerException.limit("queue-full", label + " is full (" + held + " of " + limits.queueDepth()
                    + " messages, " + heldBytes + " of " + limits.queueBytes() + " bytes, unacknowledged ones included)");
        }
        if (!holdings.reserve(Holdings.Kind.QUEUED, bytes)) {
            throw Holdings.full();
        }
        held++;
        heldBytes += bytes;
        return true;
    }

    /** A reservation that will not be used (the store refused, another destination of the same SEND was full). */
    synchronized void unreserve(Message message) {
        release(message);
    }

    /** A reserved message joins the queue. */
    void enqueue(Entry entry) {
        synchronized (this) {
            enqueued++;
            if (entry.storeId != 0) {
                persistentHeld++;
            }
            waiting.addLast(entry);
            drain(null);
        }
        flush();
    }

    /** What a restart found in the store: held whatever the bounds say (nothing stored is dropped). */
    synchronized void restore(Entry entry) {
        long bytes = entry.message.bytes();
        holdings.force(Holdings.Kind.QUEUED, bytes);
        held++;
        heldBytes += bytes;
        persistentHeld++;
        waiting.addLast(entry);
    }

    /**
     * Messages stored for this queue by another node while it was split off from this one (found in
     * the grid after the split healed): held whatever the bounds say, as a restart's are, marked
     * redelivered (that node may have handed them out), and handed out.
     */
    void takeBack(List<Entry> entries) {
        synchronized (this) {
            for (Entry entry : entries) {
                restore(entry);
                enqueued++;
            }
            drain(null);
        }
        flush();
    }

    /** The consumers, to move elsewhere: this node no longer runs the queue. Their unacknowledged messages stay where they are stored. */
    synchronized List<Consumer> giveUp() {
        retired = true;
        List<Consumer> all = new ArrayList<>(consumers);
        consumers.clear();
        waiting.clear();
        for (Consumer consumer : all) {
            consumer.unacked.clear();
        }
        holdings.release(Holdings.Kind.QUEUED, heldBytes);
        held = 0;
        heldBytes = 0;
        persistentHeld = 0;
        return all;
    }

    // ---- consumers ------------------------------------------------------------------------------

    /** False when the queue was retired meanwhile (look it up again). */
    boolean addConsumer(Consumer consumer) {
        synchronized (this) {
            if (retired) {
                return false;
            }
            consumers.add(consumer);
            drain(null);
        }
        flush();
        return true;
    }

    /** The consumer is gone: its unacknowledged messages go back to the head of the queue, in order. */
    void removeConsumer(String key) {
        synchronized (this) {
            int index = indexOf(key);
            if (index < 0) {
                return;
            }
            Consumer consumer = consumers.remove(index);
            if (index < next) {
                next--;
            }
            List<Entry> unacked = new ArrayList<>(consumer.unacked.values());
            consumer.unacked.clear();
            for (int i = unacked.size() - 1; i >= 0; i--) {
                Entry entry = unacked.get(i);
                entry.redelivered = true;
                redeliveries++;
                waiting.addFirst(entry);
            }
            drain(null);
        }
        flush();
    }

    synchronized boolean hasConsumer(String key) {
        return indexOf(key) >= 0;
    }

    private int indexOf(String key) {
        for (int i = 0; i < consumers.size(); i++) {
            if (consumers.get(i).key.equals(key)) {
                return i;
            }
        }
        return -1;
    }

    // ---- acknowledgements -----------------------------------------------------------------------

    /**
     * What an ACK of {@code messageId} by {@code key} covers (in "client" mode everything delivered
     * to it up to that message), without taking it yet: the store forgets them first. Empty when
     * there is nothing to acknowledge.
     */
    synchronized List<Entry> covered(String key, String messageId) {
        int index = indexOf(key);
        if (index < 0) {
            return List.of();
        }
        Consumer consumer = consumers.get(index);
        Entry target = consumer.unacked.get(messageId);
        if (target == null) {
            return List.of();
        }
        if (consumer.ack == AckMode.CLIENT_INDIVIDUAL) {
            return List.of(target);
        }
        List<Entry> covered = new ArrayList<>();
        for (Entry entry : consumer.unacked.values()) {
            covered.add(entry);
            if (entry == target) {
                break;
            }
        }
        return covered;
    }

    /** Acknowledged messages leave the queue (the store has already forgotten the persistent ones). */
    void acknowledged(String key, List<Entry> entries) {
        synchronized (this) {
            int index = indexOf(key);
            Consumer consumer = index < 0 ? null : consumers.get(index);
            for (Entry entry : entries) {
                if (consumer != null && consumer.unacked.remove(entry.message.id()) == entry) {
                    forget(entry);
                }
            }
            drain(null);
        }
        flush();
    }

    /** NACKed messages: to another consumer that takes them when there is one, else to the same. */
    void nack(String key, String messageId) {
        synchronized (this) {
            List<Entry> covered = covered(key, messageId);
            int index = indexOf(key);
            if (covered.isEmpty() || index < 0) {
                return;
            }
            Consumer nacker = consumers.get(index);
            for (Entry entry : covered) {
                nacker.unacked.remove(entry.message.id());
            }
            for (int i = covered.size() - 1; i >= 0; i--) {
                Entry entry = covered.get(i);
                entry.redelivered = true;
                redeliveries++;
                waiting.addFirst(entry);
            }
            drain(nacker);
        }
        flush();
    }

    /** The store ids of every message it holds. */
    synchronized List<Long> storedIds() {
        List<Long> stored = new ArrayList<>();
        for (Entry entry : all()) {
            if (entry.storeId != 0) {
                stored.add(entry.storeId);
            }
        }
        return stored;
    }

    /** Ends the queue for good (a durable subscription unsubscribed): everything it holds is let go. */
    synchronized void clear() {
        List<Entry> all = all();
        waiting.clear();
        for (Consumer consumer : consumers) {
            consumer.unacked.clear();
        }
        all.forEach(this::forget);
    }

    private List<Entry> all() {
        List<Entry> all = new ArrayList<>(waiting);
        for (Consumer consumer : consumers) {
            all.addAll(consumer.unacked.values());
        }
        return all;
    }

    // ---- dispatch -------------------------------------------------------------------------------

    /**
     * Hands waiting messages to consumers with room whose selector takes them. Without selectors
     * every consumer takes every message, so a head no one can take means no one has room.
     * {@code avoid} (a NACKing consumer) gets a message only when no other takes it.
     */
    private void drain(Consumer avoid) {
        if (consumers.isEmpty() || waiting.isEmpty()) {
            return;
        }
        boolean selective = false;
        for (Consumer consumer : consumers) {
            selective |= consumer.selector != null;
        }
        for (Iterator<Entry> it = waiting.iterator(); it.hasNext() && anyRoom(); ) {
            Entry entry = it.next();
            Consumer target = pick(entry, avoid);
            if (target == null) {
                if (!selective) {
                    return;
                }
                continue;
            }
            it.remove();
            handOver(target, entry);
        }
    }

    private boolean anyRoom() {
        for (Consumer consumer : consumers) {
            if (consumer.hasRoom()) {
                return true;
            }
        }
        return false;
    }

    private Consumer pick(Entry entry, Consumer avoid) {
        Consumer fallback = null;
        for (int tries = 0; tries < consumers.size(); tries++) {
            if (next >= consumers.size()) {
                next = 0;
            }
            Consumer candidate = consumers.get(next++);
            if (candidate.hasRoom() && Selector.selects(candidate.selector, entry.message)) {
                if (candidate != avoid) {
                    return candidate;
                }
                fallback = candidate;
            }
        }
        return fallback;
    }

    private void handOver(Consumer consumer, Entry entry) {
        dispatched++;
        brokerOut.increment();
        if (consumer.ack == AckMode.AUTO) {
            forget(entry); // handed over: the connection's outbox (send-queue-bytes) holds it now
            if (entry.storeId != 0) {
                storeSoon.removeMessage(entry.storeId);
            }
        } else {
            consumer.unacked.put(entry.message.id(), entry);
            if (entry.storeId != 0 && !entry.markedDelivered) {
                entry.markedDelivered = true;
                storeSoon.markDelivered(entry.storeId);
            }
        }
        outbox.addLast(new Handover(consumer, entry.message, entry.redelivered));
    }

    private void forget(Entry entry) {
        if (entry.storeId != 0) {
            persistentHeld--;
        }
        release(entry.message);
    }

    private void release(Message message) {
        long bytes = message.bytes();
        held--;
        heldBytes -= bytes;
        holdings.release(Holdings.Kind.QUEUED, bytes);
    }

    /**
     * Hands over what the lock decided, in order, outside the lock; one thread at a time, so a
     * consumer sees the queue's order. What the store must hear soon (delivered marks, auto-acked
     * messages gone) is written first.
     */
    private void flush() {
        synchronized (this) {
            if (flushing || (outbox.isEmpty() && storeSoon.isEmpty())) {
                return;
            }
            flushing = true;
        }
        while (true) {
            Handover[] work;
            MessageStore.Batch writes;
            synchronized (this) {
                if (outbox.isEmpty() && storeSoon.isEmpty()) {
                    flushing = false;
                    return;
                }
                work = outbox.toArray(Handover[]::new);
                outbox.clear();
                writes = storeSoon;
                storeSoon = new MessageStore.Batch();
            }
            store.soon(writes);
            for (Handover handover : work) {
                try {
                    handover.consumer.subscriber.deliver(handover.message, handover.redelivered, null);
                } catch (RuntimeException e) {
                    Broker.LOG.log(java.util.logging.Level.WARNING, "delivery from " + label + " failed", e);
                }
            }
        }
    }

    // ---- what the monitor shows -----------------------------------------------------------------

    /** Nothing held and nobody subscribed: retired (never used again) so that the broker may forget it. */
    synchronized boolean retireIfIdle() {
        if (held == 0 && consumers.isEmpty() && !retired) {
            retired = true;
            return true;
        }
        return false;
    }

    synchronized Stats stats() {
        int unacked = 0;
        for (Consumer consumer : consumers) {
            unacked += consumer.unacked.size();
        }
        return new Stats(consumers.size(), waiting.size(), held, heldBytes, persistentHeld, unacked, redeliveries,
                enqueued, dispatched);
    }

    /** A queue's counters: {@code depth} waiting, {@code held} waiting and unacknowledged. */
    record Stats(int consumers, int depth, int held, long heldBytes, int persistent, int unacked, long redelivered,
                 long enqueued, long dispatched) {
    }
}
