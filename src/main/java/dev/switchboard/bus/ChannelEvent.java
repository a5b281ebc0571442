package dev.switchboard.bus;

/**
 * What a channel carries: a domain event (a room message, an image with its metadata, a STOMP
 * message with its headers) — never wire bytes; each edge encodes it for its own protocol.
 */
public interface ChannelEvent {

    /**
     * Whether the event takes the channel's next offset and stays in its log for recovery (room
     * messages, images, topic messages). Presence, typing hints and private messages are ordered
     * with the rest but neither counted nor kept.
     */
    boolean retained();

    /** About what keeping it costs, for the log's byte bounds. */
    long bytes();
}
