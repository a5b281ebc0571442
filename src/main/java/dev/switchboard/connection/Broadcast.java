package dev.switchboard.connection;


import java.util.List;

/**
 * One fan-out message, encoded once: the WebSocket frames every receiver gets, back to back,
 * and optionally the key of the one subscriber that must not get it (usually the sender).
 */
public record Broadcast(List<Frame> frames, String exceptKey) {

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
        return new Broadcast(List.of(Text.of(text)), null);
    }

    public static Broadcast textExcept(String text, String exceptKey) {
        return new Broadcast(List.of(Text.of(text)), exceptKey);
    }
}
