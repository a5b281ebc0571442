package dev.switchboard.stomp;

import dev.switchboard.broker.AckMode;
import dev.switchboard.broker.BrokerException;
import dev.switchboard.broker.Message;
import dev.switchboard.broker.Subscriber;
import dev.switchboard.bus.Delivery;

/**
 * One SUBSCRIBE of one session, as STOMP renders its messages: the broker core knows it by
 * {@link #key} and hands it messages; it turns each into a MESSAGE frame, once per group of
 * subscriptions alike when the same topic message goes to many.
 */
final class StompSubscription implements Subscriber {

    final StompSession session;
    final String id;
    final AckMode ackMode;
    /** The broker core's name for it: unique across sessions. */
    final String key;
    /** What its MESSAGE frames depend on besides the message: subscriptions alike share one encoding. */
    private final String encodingKey;

    StompSubscription(StompSession session, String id, AckMode ackMode) {
        this.session = session;
        this.id = id;
        this.ackMode = ackMode;
        this.key = session.id() + "/" + id;
        this.encodingKey = (session.version() + "\n" + id + "\n" + ackMode).intern(); // one instance: Delivery compares by identity first
    }

    /** The ack id a MESSAGE carries: unique per subscription and message (STOMP 1.2 "ACK"). */
    String ackId(Message message) {
        return id + "/" + message.id();
    }

    @Override
    public void deliver(Message message, boolean redelivered, Delivery shared) {
        if (shared == null) {
            session.send(frame(message, redelivered));
        } else {
            session.send(shared.encoded(encodingKey, event -> frame(message, false)));
        }
    }

    private dev.switchboard.connection.Broadcast.Frame frame(Message message, boolean redelivered) {
        return StompSession.toWebSocketFrame(StompEncoder.encode(StompMessages.toFrame(message, id,
                session.ackHeader(this, message), redelivered), session.version()));
    }

    @Override
    public void refused(BrokerException reason) {
        session.fail(StompException.of(reason));
    }
}
