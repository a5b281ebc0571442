package dev.switchboard.broker;

import java.util.List;
import java.util.Map;

/**
 * A message as the broker holds it: where it goes, its id, the sender's headers, its body, and
 * whether the sender asked for it to be kept on disk ({@code persistent}). A topic's message also
 * carries its place on the topic ({@code epoch}, {@code offset}; null and -1 until numbered).
 * Nothing here is a wire format: each protocol renders it at its edge.
 */
public record Message(String destination, String id, List<Map.Entry<String, String>> headers, byte[] body,
                      boolean persistent, String epoch, long offset) {

    public Message(String destination, String id, List<Map.Entry<String, String>> headers, byte[] body,
                   boolean persistent) {
        this(destination, id, List.copyOf(headers), body, persistent, null, -1);
    }

    /** The same message as a topic numbered it. */
    public Message at(String epoch, long offset) {
        return new Message(destination, id, headers, body, persistent, epoch, offset);
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equals(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    /** What the broker counts it as against its limits: about its size on the wire. */
    public long bytes() {
        long size = body.length + destination.length() + id.length() + 64;
        for (Map.Entry<String, String> header : headers) {
            size += header.getKey().length() + header.getValue().length() + 2;
        }
        return size;
    }
}
