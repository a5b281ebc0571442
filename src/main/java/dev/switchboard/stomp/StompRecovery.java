package dev.switchboard.stomp;

import dev.switchboard.bus.ChannelEvent;

/**
 * Recovery on topics (docs/protocol.md, "stomp"): the headers a topic's messages carry and a
 * SUBSCRIBE may name, and the topic message as its channel carries it.
 */
final class StompRecovery {

    /** On every MESSAGE from a topic: the topic's epoch and the message's offset in it. */
    static final String EPOCH = "x-epoch";
    static final String OFFSET = "x-offset";
    /** On SUBSCRIBE: {@code EPOCH:OFFSET} of the last message seen. */
    static final String SINCE = "x-since";
    /** On the SUBSCRIBE's RECEIPT: whether every message after {@code x-since} followed. */
    static final String RECOVERED = "x-recovered";

    private StompRecovery() {
    }

    /** A topic's channel on the bus. */
    static String channel(String destination) {
        return "topic:" + destination;
    }

    /** What a SUBSCRIBE's {@code x-since} asks for. */
    record Since(String epoch, long offset) {

        /** {@code EPOCH:OFFSET}, or null when the header is absent; anything else is a malformed frame. */
        static Since parse(String header) throws StompException {
            if (header == null) {
                return null;
            }
            int colon = header.lastIndexOf(':');
            try {
                long offset = Long.parseLong(header.substring(colon + 1));
                if (colon <= 0 || offset < 0) {
                    throw new NumberFormatException();
                }
                return new Since(header.substring(0, colon), offset);
            } catch (NumberFormatException e) {
                throw StompException.malformed(SINCE + " must be EPOCH:OFFSET, as the x-epoch and x-offset of a message");
            }
        }
    }

    /** A message sent to a topic, as its channel orders and keeps it (the broker's message, no wire bytes). */
    record TopicMessage(StompMessage message) implements ChannelEvent {
        @Override
        public boolean retained() {
            return true;
        }

        @Override
        public long bytes() {
            return message.bytes();
        }
    }
}
