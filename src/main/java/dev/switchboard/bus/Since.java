package dev.switchboard.bus;

/**
 * Where a reconnecting client left a channel: the epoch it knew and the offset of the last event
 * it saw. Written {@code EPOCH:OFFSET} in a URL query or a STOMP header.
 */
public record Since(String epoch, long offset) {

    /** {@code EPOCH:OFFSET} with a non-empty epoch and an offset of 0 or more; null for anything else. */
    public static Since parse(String text) {
        if (text == null) {
            return null;
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            long offset = Long.parseLong(text.substring(colon + 1));
            return offset < 0 ? null : new Since(text.substring(0, colon), offset);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
