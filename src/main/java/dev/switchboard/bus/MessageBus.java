package dev.switchboard.bus;

import dev.switchboard.connection.Broadcast;
import java.util.function.Consumer;

/**
 * How a fan-out reaches every subscriber of a channel. Deliberately narrow (publish to a channel,
 * subscribe a local listener) so a distributed engine can stand behind it later. Listeners must not
 * block: they hand the message to a connection's bounded, asynchronous outbox.
 */
public interface MessageBus {

    void publish(String channel, Broadcast message);

    /** Subscribes a local listener; {@code key} names the subscriber for {@link Broadcast#exceptKey()}. */
    Subscription subscribe(String channel, String key, Consumer<Broadcast> listener);

    /** Number of local subscribers of a channel. */
    int subscribers(String channel);

    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
