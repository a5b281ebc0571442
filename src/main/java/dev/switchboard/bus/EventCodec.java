package dev.switchboard.bus;

/**
 * How one kind of channel's events cross to the other nodes of a cluster: to bytes and back, by
 * the feature that owns them (the grid holds only bytes: another member — Payara's own — has none
 * of our classes). A channel without a codec stays on its node.
 */
public interface EventCodec {

    /**
     * The event as the grid carries it: {@code head} goes on the channel's log; {@code body}, when
     * not null, is kept beside it (an image's bytes must never pass through the log itself).
     */
    record Encoded(byte[] head, byte[] body) {
    }

    Encoded encode(ChannelEvent event);

    /** The event back from its {@code head} and its {@code body} (null when it had none). */
    ChannelEvent decode(byte[] head, byte[] body);
}
