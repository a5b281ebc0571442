package dev.switchboard.stomp;

import dev.switchboard.broker.Message;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Between STOMP frames and the broker's messages: a SEND becomes a {@link Message}, a message a MESSAGE frame. */
final class StompMessages {

    /** Headers of SEND that the broker sets itself or that only concern the sender. */
    private static final Set<String> NOT_COPIED = Set.of("destination", "transaction", "receipt", "content-length",
            "message-id", "subscription", "ack", "redelivered", StompRecovery.EPOCH, StompRecovery.OFFSET);

    /** SEND's header asking for the message to be kept on disk (Artemis's and RabbitMQ's name). */
    static final String PERSISTENT = "persistent";

    private StompMessages() {
    }

    /**
     * Refuses a SEND whose headers some subscriber could not receive as sent. STOMP 1.0 has no
     * header escaping and 1.1 none for CR (STOMP 1.2 "Value Encoding"), so a line break in a name
     * or value — possible from 1.1/1.2 senders through the escapes {@code \n} and {@code \r} — would reach a 1.0
     * subscriber as real header lines and a forged body; a ':' in a name would move the split.
     * Raw NUL and CR never get this far: the decoder refuses them in header lines.
     */
    static void checkRelayable(StompFrame send) throws StompException {
        for (Map.Entry<String, String> header : send.headers()) {
            if (hasLineBreak(header.getKey()) || hasLineBreak(header.getValue()) || header.getKey().indexOf(':') >= 0) {
                throw StompException.limit("unrelayable-header", "header '" + header.getKey()
                        + "' holds a line break or a name with ':', which STOMP 1.0 subscribers cannot receive");
            }
        }
    }

    static boolean hasLineBreak(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' || c == 0) {
                return true;
            }
        }
        return false;
    }

    /** The message a SEND makes: its own headers (the first of each name, STOMP 1.2 "Repeated Header Entries"). */
    static Message fromSend(StompFrame send, String messageId) {
        List<Map.Entry<String, String>> copied = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, String> header : send.headers()) {
            if (!NOT_COPIED.contains(header.getKey()) && seen.add(header.getKey())) {
                copied.add(header);
            }
        }
        return new Message(send.header("destination"), messageId, copied, send.body(),
                "true".equals(send.header(PERSISTENT)));
    }

    /** What a frame counts as against the broker's limits (a transaction's buffered SEND or ACK). */
    static long bytes(StompFrame frame) {
        long size = frame.body().length + frame.command().name().length() + 64;
        for (Map.Entry<String, String> header : frame.headers()) {
            size += header.getKey().length() + header.getValue().length() + 2;
        }
        return size;
    }

    /** The MESSAGE frame for one subscription; a topic's message has {@code x-epoch} and {@code x-offset} first. */
    static StompFrame toFrame(Message message, String subscriptionId, String ackId, boolean redelivered) {
        StompFrame.Builder frame = StompFrame.builder(StompCommand.MESSAGE)
                .header("destination", message.destination()).header("message-id", message.id())
                .header("subscription", subscriptionId);
        if (ackId != null) {
            frame.header("ack", ackId);
        }
        if (redelivered) {
            frame.header("redelivered", "true");
        }
        if (message.epoch() != null) {
            frame.header(StompRecovery.EPOCH, message.epoch()).header(StompRecovery.OFFSET, Long.toString(message.offset()));
        }
        message.headers().forEach(h -> frame.header(h.getKey(), h.getValue()));
        return frame.body(message.body()).build();
    }
}
