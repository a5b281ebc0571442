package dev.switchboard.broker;

import dev.switchboard.bus.Delivery;

/**
 * The protocol side of one subscription, as the broker core sees it: where its messages go. The
 * core finds subscriptions by their key, never by this object, and calls it from any thread, in
 * the subscription's delivery order; it must not block.
 */
public interface Subscriber {

    /**
     * One message for this subscription. {@code shared} is the topic event when the same message
     * goes to many subscriptions (encode it once per format through it), else null.
     */
    void deliver(Message message, boolean redelivered, Delivery shared);

    /** The broker ended the subscription while delivering (over a bound): refuse the client. */
    void refused(BrokerException reason);
}
