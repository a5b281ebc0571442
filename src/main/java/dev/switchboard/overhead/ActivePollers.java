package dev.switchboard.overhead;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The polling clients seen lately: a client counts as active while its last poll is younger than
 * the window (a few poll intervals). Polls carry no connection to watch, so recency is all there is.
 * Bounded: past {@code maxTracked} clients, new ones are no longer remembered (only counted once seen
 * again after the old ones expire), so a flood of made-up ids cannot grow memory.
 */
public final class ActivePollers {

    private final long windowNanos;
    private final int maxTracked;
    private final LongSupplier nanoClock;
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();

    public ActivePollers(long windowNanos, int maxTracked, LongSupplier nanoClock) {
        this.windowNanos = windowNanos;
        this.maxTracked = maxTracked;
        this.nanoClock = nanoClock;
    }

    public void polled(String client) {
        long now = nanoClock.getAsLong();
        if (lastSeen.size() >= maxTracked && !lastSeen.containsKey(client)) {
            forgetIdle(now);
            if (lastSeen.size() >= maxTracked) {
                return;
            }
        }
        lastSeen.put(client, now);
    }

    /** Clients that polled within the window; forgets the others. */
    public int count() {
        forgetIdle(nanoClock.getAsLong());
        return lastSeen.size();
    }

    private void forgetIdle(long now) {
        lastSeen.values().removeIf(seen -> now - seen > windowNanos);
    }
}
