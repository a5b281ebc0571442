package dev.switchboard.stomp;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** A message as the broker holds it: where it goes, its id, the sender's own headers, its body. */
record StompMessage(String destination, String messageId, List<Map.Entry<String, String>> headers, byte[] body) {

    /** Headers of SEND that the broker sets itself or that only concern the sender. */
    private static final Set<String> NOT_COPIED = Set.of("destination", "transaction", "receipt", "content-length",
            "message-id", "subscription", "ack", "redelivered");

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
