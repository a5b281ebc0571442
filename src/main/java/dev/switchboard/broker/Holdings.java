package dev.switchboard.broker;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the broker holds for its clients, in bytes, by kind; together at most
 * {@code maxHeldBytes}. A client can only make the broker hold what it first reserves here.
 */
public final class Holdings {

    /** The kinds of bytes a client can make the broker hold. */
    public enum Kind { QUEUED, UNACKED_ON_TOPIC, IN_TRANSACTION }

    private final long max;
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong[] byKind = {new AtomicLong(), new AtomicLong(), new AtomicLong()};

    public Holdings(long max) {
        this.max = max;
    }

    /** Takes {@code bytes} of the total; false when that would pass it (one item always fits an empty broker). */
    public boolean reserve(Kind kind, long bytes) {
        long after = total.addAndGet(bytes);
        if (after > max && after != bytes) {
            total.addAndGet(-bytes);
            return false;
        }
        byKind[kind.ordinal()].addAndGet(bytes);
        return true;
    }

    /** Takes {@code bytes} whatever the bound (what a restart finds in the store is held, full or not). */
    void force(Kind kind, long bytes) {
        total.addAndGet(bytes);
        byKind[kind.ordinal()].addAndGet(bytes);
    }

    public void release(Kind kind, long bytes) {
        byKind[kind.ordinal()].addAndGet(-bytes);
        total.addAndGet(-bytes);
    }

    public long total() {
        return total.get();
    }

    public long of(Kind kind) {
        return byKind[kind.ordinal()].get();
    }

    static BrokerException full() {
        return BrokerException.limit("broker-full", "the broker holds as much as it may for its clients; try later");
    }
}
