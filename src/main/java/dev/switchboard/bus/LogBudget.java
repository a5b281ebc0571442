package dev.switchboard.bus;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes that the logs of a set of channels may hold together (e.g. {@code recovery.max-bytes}
 * for rooms and topics, {@code images.history-bytes} for image rooms). Past it, the oldest event
 * of any of those channels goes first.
 */
public final class LogBudget {

    private final String name;
    private final long maxBytes;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();

    public LogBudget(String name, long maxBytes) {
        this.name = name;
        this.maxBytes = maxBytes;
    }

    public String name() {
        return name;
    }

    public long usedBytes() {
        return used.get();
    }

    /** Events dropped to keep within this budget (not those that aged out or passed a channel's own bound). */
    public long evictions() {
        return evicted.get();
    }

    /** Events held now, all channels on this budget. */
    public long heldEvents() {
        return events.get();
    }

    void add(long bytes) {
        used.addAndGet(bytes);
        events.incrementAndGet();
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
        events.decrementAndGet();
    }

    void evicted() {
        evicted.incrementAndGet();
    }

    boolean over() {
        return used.get() > maxBytes;
    }
}
