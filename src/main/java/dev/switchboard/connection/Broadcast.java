package dev.switchboard.connection;

import java.util.List;

/**
 * One event as one wire format encodes it, once for every receiver: the WebSocket frames each
 * receiver gets, back to back (an image is a description and its bytes).
 */
public record Broadcast(List<Frame> frames) {

    /** A frame's content, shared read-only by every receiver. */
    public sealed interface Frame permits Text, Binary {
        long bytes();
    }

    /**
     * A text message; its UTF-8 size, and whether it has a UTF-8 form at all (no unpaired
     * surrogate), are worked out once for every receiver.
     */
    public record Text(String text, long bytes, boolean encodable) implements Frame {
        public static Text of(String text) {
            return new Text(text, Utf8.encodedLength(text), Utf8.isWellFormed(text));
        }

        /** Text just decoded from {@code bytes} bytes of valid UTF-8. */
        public static Text decoded(String text, long bytes) {
            return new Text(text, bytes, true);
        }
    }

    /** A binary message; receivers wrap, never copy, the array. */
    public record Binary(byte[] data) implements Frame {
        @Override
        public long bytes() {
            return data.length;
        }
    }

    public static Broadcast text(String text) {
        return new Broadcast(List.of(Text.of(text)));
    }
}
