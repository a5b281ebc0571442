package dev.switchboard.stomp;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One SUBSCRIBE of one session, with the messages delivered to it and not yet acknowledged
 * (in delivery order, which "client" acks need: an ACK covers everything delivered before it).
 */
final class StompSubscription {

    final StompSession session;
    final String id;
    final String destination;
    final AckMode ackMode;
    /** What its MESSAGE frames depend on besides the message: subscriptions alike share one encoding. */
    final String encodingKey;
    private final LinkedHashMap<String, StompMessage> unacked = new LinkedHashMap<>();
    private boolean cancelled;

    StompSubscription(StompSession session, String id, String destination, AckMode ackMode) {
        this.session = session;
        this.id = id;
        this.destination = destination;
        this.ackMode = ackMode;
        this.encodingKey = session.version() + "\n" + id + "\n" + ackMode;
    }

    boolean isQueue() {
        return destination.startsWith(StompBroker.QUEUE_PREFIX);
    }

    /** The ack id a MESSAGE carries: unique per subscription and message. */
    String ackId(StompMessage message) {
        return id + "/" + message.messageId();
    }

    /** Records a delivery that needs an ACK; false when the subscription is gone (deliver elsewhere). */
    synchronized boolean delivered(StompMessage message) {
        if (cancelled) {
            return false;
        }
        if (ackMode != AckMode.AUTO) {
            unacked.put(message.messageId(), message);
        }
        return true;
    }

    /** Acknowledges a message (and, in "client" mode, all delivered before it); returns what was acked. */
    synchronized List<StompMessage> ack(String messageId) {
        List<StompMessage> acked = new ArrayList<>();
        if (!unacked.containsKey(messageId)) {
            return acked;
        }
        if (ackMode == AckMode.CLIENT_INDIVIDUAL) {
            acked.add(unacked.remove(messageId));
            return acked;
        }
        for (Iterator<Map.Entry<String, StompMessage>> it = unacked.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, StompMessage> entry = it.next();
            acked.add(entry.getValue());
            it.remove();
            if (entry.getKey().equals(messageId)) {
                break;
            }
        }
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
        return left;
    }

    synchronized int unackedCount() {
        return unacked.size();
    }
}
