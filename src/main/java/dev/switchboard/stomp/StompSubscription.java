package dev.switchboard.stomp;

import dev.switchboard.bus.FanOut;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One SUBSCRIBE of one session, with the messages delivered to it and not yet acknowledged
 * (in delivery order, which "client" acks need: an ACK covers everything delivered before it).
 * <p>
 * What it holds is bounded: on a queue, the queue counts its unacknowledged messages against its
 * own limits; on a topic, the subscription itself holds at most {@code stomp.queue-depth} messages
 * and {@code stomp.queue-bytes} unacknowledged, and a subscriber past that is refused (ERROR, 1008)
 * rather than let the messages pile up.
 */
final class StompSubscription {

    final StompSession session;
    final String id;
    final String destination;
    final AckMode ackMode;
    /** What its MESSAGE frames depend on besides the message: subscriptions alike share one encoding. */
    final String encodingKey;
    private final boolean queue;
    /** A topic subscription's place on the topic's channel (set once, when subscribed). */
    volatile FanOut.Attachment attachment;
    private final LinkedHashMap<String, StompMessage> unacked = new LinkedHashMap<>();
    private long unackedBytes;
    private boolean cancelled;

    StompSubscription(StompSession session, String id, String destination, AckMode ackMode) {
        this.session = session;
        this.id = id;
        this.destination = destination;
        this.ackMode = ackMode;
        this.queue = destination.startsWith(StompBroker.QUEUE_PREFIX);
        this.encodingKey = session.version() + "\n" + id + "\n" + ackMode;
    }

    boolean isQueue() {
        return queue;
    }

    /** The ack id a MESSAGE carries: unique per subscription and message. */
    String ackId(StompMessage message) {
        return id + "/" + message.messageId();
    }

    /**
     * Records a delivery that needs an ACK; false when the subscription is gone (deliver elsewhere)
     * or, on a topic, when it would hold more unacknowledged messages than allowed — then the
     * subscriber is refused and closed.
     */
    boolean delivered(StompMessage message) {
        boolean overLimit;
        synchronized (this) {
            if (cancelled) {
                return false;
            }
            if (ackMode == AckMode.AUTO) {
                return true;
            }
            long bytes = message.bytes();
            overLimit = !queue && !unacked.containsKey(message.messageId()) && !mayHold(bytes);
            if (!overLimit) {
                if (unacked.put(message.messageId(), message) == null) {
                    unackedBytes += bytes;
                }
                return true;
            }
            cancelled = true; // nothing more for a subscriber that does not acknowledge
        }
        StompSettings limits = session.broker().settings();
        session.fail(StompException.limit("unacked-limit", "subscription '" + id + "' has more than "
                + limits.queueDepth() + " messages or " + limits.queueBytes() + " bytes unacknowledged"));
        return false;
    }

    /** A topic subscription's own bound, then the broker's total. */
    private boolean mayHold(long bytes) {
        StompSettings limits = session.broker().settings();
        return unacked.size() < limits.queueDepth() && unackedBytes + bytes <= limits.queueBytes()
                && session.broker().reserve(StompBroker.Hold.UNACKED_ON_TOPIC, bytes);
    }

    /** Acknowledges a message (and, in "client" mode, all delivered before it); returns what was acked. */
    synchronized List<StompMessage> ack(String messageId) {
        List<StompMessage> acked = new ArrayList<>();
        if (!unacked.containsKey(messageId)) {
            return acked;
        }
        if (ackMode == AckMode.CLIENT_INDIVIDUAL) {
            acked.add(unacked.remove(messageId));
        } else {
            for (Iterator<Map.Entry<String, StompMessage>> it = unacked.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, StompMessage> entry = it.next();
                acked.add(entry.getValue());
                it.remove();
                if (entry.getKey().equals(messageId)) {
                    break;
                }
            }
        }
        released(acked);
        return acked;
    }

    /** Takes a NACKed message out (and, in "client" mode, those before it), for redelivery. */
    synchronized List<StompMessage> nack(String messageId) {
        return ack(messageId);
    }

    synchronized boolean hasUnacked(String messageId) {
        return unacked.containsKey(messageId);
    }

    /** Ends the subscription; returns its unacknowledged messages in delivery order. */
    synchronized List<StompMessage> cancel() {
        cancelled = true;
        List<StompMessage> left = new ArrayList<>(unacked.values());
        unacked.clear();
        released(left);
        return left;
    }

    private void released(List<StompMessage> messages) {
        long bytes = 0;
        for (StompMessage message : messages) {
            bytes += message.bytes();
        }
        unackedBytes -= bytes;
        if (!queue) {
            session.broker().release(StompBroker.Hold.UNACKED_ON_TOPIC, bytes); // a queue's messages stay the queue's until it lets them go
        }
    }

    synchronized long unackedBytes() {
        return unackedBytes;
    }
}
