package dev.switchboard.bus;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one id generator for messages (chat, images, STOMP): unique across restarts and nodes — a
 * random per-process prefix and a counter — and cheap (no randomness per id).
 */
public final class MessageIds {

    private final String prefix;
    private final AtomicLong counter = new AtomicLong();

    public MessageIds() {
        prefix = Long.toString(new SecureRandom().nextLong() >>> 1, 36);
    }

    public String next() {
        return prefix + "-" + Long.toString(counter.incrementAndGet(), 36);
    }
}
