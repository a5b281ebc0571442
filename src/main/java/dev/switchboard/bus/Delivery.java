package dev.switchboard.bus;

import java.util.function.Function;

/**
 * One event on its way to this node's receivers of a channel, with its encodings: each wire
 * format (chat JSON, a STOMP MESSAGE for one version and subscription group, …) is made once,
 * by the first receiver that needs it, and shared by every other.
 */
public final class Delivery {

    private record Encoding(Object format, Object value) {
    }

    private final Sequenced event;
    /** The first encoding made, read without a lock: most events have one format for all receivers. */
    private volatile Encoding first;
    private Object[] keys = new Object[2];
    private Object[] values = new Object[2];
    private int size;

    Delivery(Sequenced event) {
        this.event = event;
    }

    public Sequenced event() {
        return event;
    }

    /** The event encoded as {@code format} (any key with equals), made on first use. */
    @SuppressWarnings("unchecked")
    public <T> T encoded(Object format, Function<Sequenced, T> encoder) {
        Encoding made = first;
        // the same key object for every receiver alike (STOMP interns its keys): no comparing per delivery
        if (made != null && (made.format() == format || made.format().equals(format))) {
            return (T) made.value();
        }
        return encodedOnce(format, encoder);
    }

    @SuppressWarnings("unchecked")
    private synchronized <T> T encodedOnce(Object format, Function<Sequenced, T> encoder) {
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(format)) {
                return (T) values[i];
            }
        }
        T encoding = encoder.apply(event);
        if (size == keys.length) {
            keys = java.util.Arrays.copyOf(keys, size * 2);
            values = java.util.Arrays.copyOf(values, size * 2);
        }
        keys[size] = format;
        values[size] = encoding;
        size++;
        if (first == null) {
            first = new Encoding(format, encoding);
        }
        return encoding;
    }
}
