package dev.switchboard.stomp;

import dev.switchboard.bus.Since;

/**
 * Recovery on topics (docs/protocol.md, "stomp"): the headers a topic's messages carry and a
 * SUBSCRIBE may name.
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

    /** A SUBSCRIBE's {@code x-since} ({@code EPOCH:OFFSET}), or null when absent; anything else is a malformed frame. */
    static Since since(String header) throws StompException {
        if (header == null) {
            return null;
        }
        Since since = Since.parse(header);
        if (since == null) {
            throw StompException.malformed(SINCE + " must be EPOCH:OFFSET, as the x-epoch and x-offset of a message");
        }
        return since;
    }
}
