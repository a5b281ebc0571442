package dev.switchboard.broker;

import dev.switchboard.bus.Delivery;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * A consumer here of a queue whose home is another node, as this node's broker sees it: the
 * subscription's own subscriber, and which messages it was handed and has not acknowledged (so an
 * ACK of one it never had is answered here, as on one node). The home bounds how many there are.
 */
final class RemoteConsumer implements Subscriber {

    private final Subscriber subscriber;
    private final AckMode ack;
    private final LinkedHashSet<String> unacked = new LinkedHashSet<>();

    RemoteConsumer(Subscriber subscriber, AckMode ack) {
        this.subscriber = subscriber;
        this.ack = ack;
    }

    Subscriber subscriber() {
        return subscriber;
    }

    @Override
    public void deliver(Message message, boolean redelivered, Delivery shared) {
        if (ack != AckMode.AUTO) {
            synchronized (this) {
                unacked.add(message.id());
            }
        }
        subscriber.deliver(message, redelivered, shared);
    }

    @Override
    public void refused(BrokerException reason) {
        subscriber.refused(reason);
    }

    synchronized boolean hasUnacked(String messageId) {
        return unacked.contains(messageId);
    }

    /** An ACK or NACK of {@code messageId}: in {@code client} mode it covers every message before it too. */
    synchronized void acknowledged(String messageId) {
        if (!unacked.contains(messageId)) {
            return;
        }
        if (ack == AckMode.CLIENT_INDIVIDUAL) {
            unacked.remove(messageId);
            return;
        }
        for (Iterator<String> it = unacked.iterator(); it.hasNext(); ) {
            String next = it.next();
            it.remove();
            if (next.equals(messageId)) {
                return;
            }
        }
    }

    /** Its home went: the next one hands the unacknowledged messages out again, under their ids. */
    synchronized void forgetUnacked() {
        unacked.clear();
    }
}
