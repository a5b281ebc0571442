package dev.switchboard.chat;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Message ids unique across restarts and nodes: a random per-process prefix and a counter. */
final class MessageIds {

    private final String prefix;
    private final AtomicLong counter = new AtomicLong();

    MessageIds() {
        prefix = Long.toString(new SecureRandom().nextLong() >>> 1, 36);
    }

    String next() {
        return prefix + "-" + Long.toString(counter.incrementAndGet(), 36);
    }
}
