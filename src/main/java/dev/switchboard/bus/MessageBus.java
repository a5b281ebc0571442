package dev.switchboard.bus;

import java.util.List;
import java.util.function.Consumer;

/**
 * Channels with a log: the one seam between the features and where their events travel. A
 * channel ({@code chat:ROOM}, {@code images:ROOM}, {@code topic:/topic/NAME}) orders its events —
 * one order for every receiver, whoever published — numbers the retained ones ({@code offset}
 * under the channel's {@code epoch}) and keeps them within its {@link Retention}. Each node has
 * at most one listener per channel ({@link FanOut} is that listener and fans out locally), called
 * one event at a time, in order, never on the publisher's thread. Small on purpose, so that a
 * distributed implementation (a ring buffer per channel) fits behind it.
 */
public interface MessageBus extends AutoCloseable {

    /**
     * Orders the event on its channel and hands it to the channel's listener, later, on another
     * thread; never waits on receivers, so a caller may hold its own lock. Returns the event as
     * ordered, or null when the channel does not exist (nobody attached within its linger: nobody
     * to receive or recover it).
     */
    Sequenced publish(String channel, ChannelEvent event);

    /** This node's one listener for the channel, made if need be; a second while one is set is refused. */
    Subscription subscribe(String channel, Consumer<Sequenced> listener);

    /** Where the channel is now, the channel made if need be (a receiver is about to attach). */
    Position position(String channel);

    /**
     * The retained events after {@code afterOffset} up to {@code upToOffset}, and whether they are all
     * of them: false when {@code epoch} is not the channel's, or some after the offset are no longer held.
     */
    LogRead read(String channel, String epoch, long afterOffset, long upToOffset);

    /** The newest {@code count} retained events up to {@code upToOffset}, oldest first. */
    List<Sequenced> tail(String channel, int count, long upToOffset);

    /**
     * The events a receiver attached at {@code at} gets first: with {@code since} (or null), the
     * missed ones when all are held, else the newest {@code history} up to {@code at}.
     */
    default Replay replay(String channel, Since since, Position at, int history) {
        if (since != null) {
            LogRead missed = read(channel, since.epoch(), since.offset(), at.offset());
            if (missed.complete()) {
                return new Replay(missed.events(), true);
            }
        }
        return new Replay(tail(channel, history, at.offset()), since == null ? null : false);
    }

    /** Events of the channel not yet handed to this node's listener (how far its fan-out is behind). */
    int pending(String channel);

    /** Channels this node knows now (attached to, or lingering). */
    int channelCount();

    /** Events waiting for a listener that is behind, over all channels (a gauge: fan-out keeping up?). */
    long pendingDeliveries();

    @Override
    void close();

    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
