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

    private static final Encoding[] NONE = {};

    private final Sequenced event;
    /**
     * Every encoding made, copy-on-write, read without a lock: a STOMP topic's delivery has two
     * (the broker's message, then the MESSAGE frame of a subscription group), and every receiver
     * of every stripe reads them — a lock here was taken once per delivery.
     */
    private volatile Encoding[] made = NONE;

    Delivery(Sequenced event) {
        this.event = event;
    }

    public Sequenced event() {
        return event;
    }

    /** The event encoded as {@code format} (any key with equals), made on first use. */
    @SuppressWarnings("unchecked")
    public <T> T encoded(Object format, Function<Sequenced, T> encoder) {
        Encoding[] all = made;
        for (Encoding encoding : all) {
            if (encoding.format() == format) { // the same key object for receivers alike: no comparing
                return (T) encoding.value();
            }
        }
        for (Encoding encoding : all) {
            if (encoding.format().equals(format)) {
                return (T) encoding.value();
            }
        }
        return encodedOnce(format, encoder);
    }

    @SuppressWarnings("unchecked")
    private synchronized <T> T encodedOnce(Object format, Function<Sequenced, T> encoder) {
        Encoding[] all = made;
        for (Encoding encoding : all) {
            if (encoding.format().equals(format)) {
                return (T) encoding.value();
            }
        }
        T encoding = encoder.apply(event);
        Encoding[] grown = java.util.Arrays.copyOf(all, all.length + 1);
        grown[all.length] = new Encoding(format, encoding);
        made = grown;
        return encoding;
    }
}
