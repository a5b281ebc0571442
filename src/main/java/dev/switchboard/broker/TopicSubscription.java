package dev.switchboard.broker;

import dev.switchboard.bus.Delivery;
import dev.switchboard.bus.FanOut;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A subscription to a topic that lasts as long as its connection: every message published while it
 * exists (that its selector takes), in the topic's order. With an acked mode it holds what it
 * delivered until acknowledged, and with {@code prefetch-count} it holds back what would pass it.
 * Bounded: at most {@code queueDepth} messages and {@code queueBytes} bytes held (unacknowledged
 * and held back together); a subscriber past that is refused rather than let messages pile up.
 * <p>
 * Deliveries happen under its own lock (its subscriber's outbox never blocks), so the topic's order
 * holds between the fan-out thread and an ACK that makes room.
 */
final class TopicSubscription {

    final String key;
    final String destination;
    private final Subscriber subscriber;
    private final AckMode ack;
    private final int prefetch;
    private final Selector selector;
    private final BrokerSettings limits;
    private final Holdings holdings;
    /** Its place on the topic's channel (set once, when subscribed). */
    volatile FanOut.Attachment attachment;
    private final LinkedHashMap<String, Message> unacked = new LinkedHashMap<>();
    private final ArrayDeque<Message> heldBack = new ArrayDeque<>();
    private long heldBytes;
    private boolean cancelled;
    /** The topic's and the broker's counts of messages out. */
    private final LongAdder topicOut;
    private final LongAdder brokerOut;

    TopicSubscription(SubscriptionRequest request, Subscriber subscriber, BrokerSettings limits, Holdings holdings,
                      LongAdder topicOut, LongAdder brokerOut) {
        this.topicOut = topicOut;
        this.brokerOut = brokerOut;
        this.key = request.key();
        this.destination = request.destination();
        this.subscriber = subscriber;
        this.ack = request.ack();
        this.prefetch = request.ack() == AckMode.AUTO ? 0 : request.prefetch();
        this.selector = request.selector();
        this.limits = limits;
        this.holdings = holdings;
    }

    /** A message of the topic (live from the fan-out with its {@code shared} encodings, or recovered). */
    void offer(Message message, Delivery shared) {
        if (!Selector.selects(selector, message)) {
            return;
        }
        BrokerException over = null;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            if (ack == AckMode.AUTO) {
                send(message, false, shared);
                return;
            }
            if (!hold(message)) {
                cancelled = true; // nothing more for a subscriber that does not acknowledge
                over = BrokerException.limit("unacked-limit", "subscription to " + destination + " has more than "
                        + limits.queueDepth() + " messages or " + limits.queueBytes() + " bytes unacknowledged");
            } else if (heldBack.isEmpty() && hasRoom()) {
                unacked.put(message.id(), message);
                send(message, false, shared);
            } else {
                heldBack.addLast(message);
            }
        }
        if (over != null) {
            subscriber.refused(over);
        }
    }

    private void send(Message message, boolean redelivered, Delivery shared) {
        topicOut.increment(); // adders: every fan-out stripe counts here at once
        brokerOut.increment();
        subscriber.deliver(message, redelivered, shared);
    }

    private boolean hold(Message message) {
        long bytes = message.bytes();
        if (unacked.size() + heldBack.size() >= limits.queueDepth() || heldBytes + bytes > limits.queueBytes()
                || !holdings.reserve(Holdings.Kind.UNACKED_ON_TOPIC, bytes)) {
            return false;
        }
        heldBytes += bytes;
        return true;
    }

    private boolean hasRoom() {
        return prefetch == 0 || unacked.size() < prefetch;
    }

    /** Acknowledges a message (and, in "client" mode, all delivered before it); then what was held back follows. */
    synchronized void ack(String messageId) {
        release(take(messageId));
        resume();
    }

    /** NACKed messages go to the same subscriber again, marked redelivered (a topic has no one else to give them to). */
    synchronized void nack(String messageId) {
        List<Message> taken = take(messageId);
        for (Message message : taken) {
            unacked.put(message.id(), message);
            send(message, true, null);
        }
    }

    synchronized boolean hasUnacked(String messageId) {
        return unacked.containsKey(messageId);
    }

    private List<Message> take(String messageId) {
        List<Message> taken = new ArrayList<>();
        if (!unacked.containsKey(messageId)) {
            return taken;
        }
        if (ack == AckMode.CLIENT_INDIVIDUAL) {
            taken.add(unacked.remove(messageId));
            return taken;
        }
        for (Iterator<Map.Entry<String, Message>> it = unacked.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Message> entry = it.next();
            taken.add(entry.getValue());
            it.remove();
            if (entry.getKey().equals(messageId)) {
                break;
            }
        }
        return taken;
    }

    private void resume() {
        while (!heldBack.isEmpty() && hasRoom() && !cancelled) {
            Message message = heldBack.pollFirst();
            unacked.put(message.id(), message);
            send(message, false, null);
        }
    }

    private void release(List<Message> messages) {
        long bytes = 0;
        for (Message message : messages) {
            bytes += message.bytes();
        }
        heldBytes -= bytes;
        holdings.release(Holdings.Kind.UNACKED_ON_TOPIC, bytes);
    }

    /** Ends it: a topic message not acked is not anyone else's to have. */
    void cancel() {
        synchronized (this) {
            cancelled = true;
            List<Message> all = new ArrayList<>(unacked.values());
            all.addAll(heldBack);
            unacked.clear();
            heldBack.clear();
            release(all);
        }
        FanOut.Attachment attached = attachment;
        if (attached != null) {
            attached.close();
        }
    }

    synchronized int unackedCount() {
        return unacked.size();
    }
}
