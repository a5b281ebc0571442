package dev.switchboard.bus;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The small binary form every {@link EventCodec} writes with: Java's data streams, strings as
 * UTF-8 with a length (null marked, never confused with empty), so a codec is a list of fields.
 */
public final class EventBytes {

    private EventBytes() {
    }

    /** Writes fields in order; {@link #bytes()} is the result. */
    public static final class Writer {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(128);
        private final DataOutputStream out = new DataOutputStream(buffer);

        public Writer kind(int kind) {
            return io(() -> out.writeByte(kind));
        }

        public Writer string(String value) {
            return io(() -> {
                if (value == null) {
                    out.writeInt(-1);
                } else {
                    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
                    out.writeInt(utf8.length);
                    out.write(utf8);
                }
            });
        }

        public Writer number(long value) {
            return io(() -> out.writeLong(value));
        }

        public Writer flag(boolean value) {
            return io(() -> out.writeBoolean(value));
        }

        public Writer blob(byte[] value) {
            return io(() -> {
                out.writeInt(value.length);
                out.write(value);
            });
        }

        public byte[] bytes() {
            return buffer.toByteArray();
        }

        private interface Io {
            void run() throws IOException;
        }

        private Writer io(Io write) {
            try {
                write.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a byte array does not fail
            }
            return this;
        }
    }

    /** Reads the fields a {@link Writer} wrote, in the same order. */
    public static final class Reader {
        private final DataInputStream in;

        public Reader(byte[] bytes) {
            this.in = new DataInputStream(new ByteArrayInputStream(bytes));
        }

        public int kind() {
            return io(in::readUnsignedByte);
        }

        public String string() {
            int length = io(in::readInt);
            if (length < 0) {
                return null;
            }
            if (length > io(in::available)) {
                throw new IllegalArgumentException("a truncated event");
            }
            byte[] utf8 = new byte[length];
            io(() -> {
                in.readFully(utf8);
                return 0;
            });
            return new String(utf8, StandardCharsets.UTF_8);
        }

        public long number() {
            return io(in::readLong);
        }

        public boolean flag() {
            return io(in::readBoolean);
        }

        public byte[] blob() {
            int length = io(in::readInt);
            if (length < 0 || length > io(in::available)) {
                throw new IllegalArgumentException("a truncated event");
            }
            return io(() -> in.readNBytes(length));
        }

        private interface Io<T> {
            T run() throws IOException;
        }

        private <T> T io(Io<T> read) {
            try {
                return read.run();
            } catch (IOException e) {
                throw new IllegalArgumentException("a truncated event", e);
            }
        }
    }
}
