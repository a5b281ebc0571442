package dev.switchboard.connection;

import dev.switchboard.transport.ServerFrames;
import dev.switchboard.transport.deflate.SharedDeflater;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One event as one wire format encodes it, once for every receiver: the WebSocket frames each
 * receiver gets, back to back (an image is a description and its bytes).
 */
public record Broadcast(List<Frame> frames) {

    /** A frame's content, shared read-only by every receiver. */
    public sealed interface Frame permits Text, Binary {
        /** The payload's size: what a receiver's send queue counts. */
        long bytes();

        /**
         * The whole RFC 6455 frame a server sends for it (header and payload, unmasked, FIN), made
         * on first use and shared: each call is a {@code duplicate()} for one receiver, over the
         * same writable heap buffer. Null for text that has no UTF-8 form.
         */
        ByteBuffer wire();
    }

    /**
     * A text message; its UTF-8 size, and whether it has a UTF-8 form at all (no unpaired
     * surrogate), are worked out once for every receiver — and so are its UTF-8 bytes and frame,
     * the first time a receiver on the fast path needs them.
     */
    public static final class Text implements Frame {
        private final String text;
        private final long bytes;
        private final boolean encodable;
        /** The UTF-8 form when it came with the text (STOMP encodes frames to bytes): never encoded again. */
        private final byte[] utf8;
        /** Built at most a few times by racing receivers, each result the same: no lock needed. */
        private volatile ByteBuffer wire;
        /** Compressed frames, one per parameter set of the receivers without context takeover (almost always one). */
        private volatile Compressed compressed;

        public Text(String text, long bytes, boolean encodable) {
            this(text, bytes, encodable, null);
        }

        private Text(String text, long bytes, boolean encodable, byte[] utf8) {
            this.text = Objects.requireNonNull(text);
            this.bytes = bytes;
            this.encodable = encodable;
            this.utf8 = utf8;
        }

        public static Text of(String text) {
            return new Text(text, Utf8.encodedLength(text), Utf8.isWellFormed(text));
        }

        /** Text just decoded from {@code bytes} bytes of valid UTF-8. */
        public static Text decoded(String text, long bytes) {
            return new Text(text, bytes, true);
        }

        /** Text just decoded from {@code utf8}, valid UTF-8, which the frame is built from (the array is not copied). */
        public static Text decoded(String text, byte[] utf8) {
            return new Text(text, utf8.length, true, utf8);
        }

        public String text() {
            return text;
        }

        @Override
        public long bytes() {
            return bytes;
        }

        public boolean encodable() {
            return encodable;
        }

        @Override
        public ByteBuffer wire() {
            if (!encodable) {
                return null;
            }
            ByteBuffer built = wire;
            if (built == null) {
                built = ServerFrames.frame(ServerFrames.TEXT, utf8 != null ? utf8 : text.getBytes(StandardCharsets.UTF_8));
                wire = built;
            }
            return built.duplicate();
        }

        /**
         * The frame a receiver without context takeover gets (RFC 7692): compressed with RSV1 set,
         * made on first use for {@code deflater}'s parameters and shared like {@link #wire()}; the
         * plain frame for a text under {@code compression.min-bytes}. Null for text that has no
         * UTF-8 form.
         */
        public ByteBuffer wire(SharedDeflater deflater) {
            if (!encodable || !deflater.compresses(bytes)) {
                return wire();
            }
            SharedDeflater.Parameters parameters = deflater.parameters();
            Compressed built = compressed;
            while (built != null && !built.parameters.equals(parameters)) {
                built = built.next;
            }
            if (built == null) { // racing receivers may both build one: the same bytes, one of them kept
                ByteBuffer frame = deflater.textFrame(utf8());
                built = new Compressed(parameters, frame, SharedDeflater.payloadBytes(frame), compressed);
                compressed = built;
            }
            deflater.sent(bytes, built.payloadBytes);
            return built.frame.duplicate();
        }

        /** The UTF-8 bytes: the array the text came with, or the payload of its plain frame. */
        private ByteBuffer utf8() {
            if (utf8 != null) {
                return ByteBuffer.wrap(utf8);
            }
            ByteBuffer plain = wire();
            return plain.position(plain.position() + ServerFrames.headerLength(bytes));
        }

        /** One parameter set's compressed frame, and the others'. */
        private record Compressed(SharedDeflater.Parameters parameters, ByteBuffer frame, int payloadBytes,
                                  Compressed next) {
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Text that && bytes == that.bytes && encodable == that.encodable
                    && text.equals(that.text);
        }

        @Override
        public int hashCode() {
            return text.hashCode();
        }

        @Override
        public String toString() {
            return "Text[" + bytes + " bytes]";
        }
    }

    /** A binary message; receivers share its frame, never a copy per receiver. */
    public static final class Binary implements Frame {
        private final byte[] data;
        private volatile ByteBuffer wire;

        public Binary(byte[] data) {
            this.data = Objects.requireNonNull(data);
        }

        public byte[] data() {
            return data;
        }

        @Override
        public long bytes() {
            return data.length;
        }

        @Override
        public ByteBuffer wire() {
            ByteBuffer built = wire;
            if (built == null) {
                built = ServerFrames.frame(ServerFrames.BINARY, data);
                wire = built;
            }
            return built.duplicate();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Binary that && Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Binary[" + data.length + " bytes]";
        }
    }

    public static Broadcast text(String text) {
        return new Broadcast(List.of(Text.of(text)));
    }
}
