package dev.switchboard.stomp;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** A message as the broker holds it: where it goes, its id, the sender's own headers, its body. */
record StompMessage(String destination, String messageId, List<Map.Entry<String, String>> headers, byte[] body) {

    /** Headers of SEND that the broker sets itself or that only concern the sender. */
    private static final Set<String> NOT_COPIED = Set.of("destination", "transaction", "receipt", "content-length",
            "message-id", "subscription", "ack", "redelivered", StompRecovery.EPOCH, StompRecovery.OFFSET);

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

    static StompMessage fromSend(StompFrame send, String messageId) {
        List<Map.Entry<String, String>> copied = new java.util.ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Map.Entry<String, String> header : send.headers()) {
            if (!NOT_COPIED.contains(header.getKey()) && seen.add(header.getKey())) {
                copied.add(header);
            }
        }
        return new StompMessage(send.header("destination"), messageId, copied, send.body());
    }

    /** The message as a topic numbered it: {@code x-epoch} and {@code x-offset} first among its headers. */
    StompMessage at(String epoch, long offset) {
        List<Map.Entry<String, String>> numbered = new java.util.ArrayList<>(headers.size() + 2);
        numbered.add(Map.entry(StompRecovery.EPOCH, epoch));
        numbered.add(Map.entry(StompRecovery.OFFSET, Long.toString(offset)));
        numbered.addAll(headers);
        return new StompMessage(destination, messageId, numbered, body);
    }

    /** What the broker counts it as against its limits: about its size on the wire. */
    long bytes() {
        long size = body.length + destination.length() + messageId.length() + 64;
        for (Map.Entry<String, String> header : headers) {
            size += header.getKey().length() + header.getValue().length() + 2;
        }
        return size;
    }

    /** The same measure for any frame (a transaction's buffered SEND or ACK). */
    static long bytes(StompFrame frame) {
        long size = frame.body().length + frame.command().name().length() + 64;
        for (Map.Entry<String, String> header : frame.headers()) {
            size += header.getKey().length() + header.getValue().length() + 2;
        }
        return size;
    }

    /** The MESSAGE frame for one subscription. */
    StompFrame toFrame(String subscriptionId, String ackId, boolean redelivered) {
        StompFrame.Builder frame = StompFrame.builder(StompCommand.MESSAGE)
                .header("destination", destination).header("message-id", messageId)
                .header("subscription", subscriptionId);
        if (ackId != null) {
            frame.header("ack", ackId);
        }
        if (redelivered) {
            frame.header("redelivered", "true");
        }
        headers.forEach(h -> frame.header(h.getKey(), h.getValue()));
        return frame.body(body).build();
    }
}
