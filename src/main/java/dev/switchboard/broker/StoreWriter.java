package dev.switchboard.broker;

import dev.switchboard.broker.store.MessageStore;
import dev.switchboard.broker.store.StoreException;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;

/** The broker's way to its store, or to none (then persistent messages live in memory only, as others). */
final class StoreWriter {

    private final MessageStore store;
    private final AtomicLong memoryIds = new AtomicLong();
    private final AtomicBoolean failureLogged = new AtomicBoolean();

    StoreWriter(MessageStore store) {
        this.store = store;
    }

    boolean enabled() {
        return store != null;
    }

    /** The largest content a stored message may have (the journal's records live in its files). */
    long maxContentBytes() {
        return store == null ? Long.MAX_VALUE : store.maxRecordBytes();
    }

    long nextId() {
        return store != null ? store.nextId() : memoryIds.incrementAndGet();
    }

    /** On disk before it returns (a SEND's RECEIPT, a COMMIT's answer, an ACK's RECEIPT wait for it). */
    void now(MessageStore.Batch batch) throws BrokerException {
        write(batch, true);
    }

    void write(MessageStore.Batch batch, boolean durable) throws BrokerException {
        if (store == null || batch.isEmpty()) {
            return;
        }
        try {
            store.write(batch, durable);
        } catch (StoreException e) {
            logFailure(e);
            throw BrokerException.store("the message store failed: " + e.getMessage());
        }
    }

    /** {@link #now} without waiting: fails with a {@link BrokerException} naming the problem. */
    java.util.concurrent.CompletableFuture<Void> writeAsync(MessageStore.Batch batch) {
        if (store == null || batch.isEmpty()) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        return store.writeAsync(batch, true).exceptionallyCompose(error -> {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof StoreException e) {
                logFailure(e);
            }
            return java.util.concurrent.CompletableFuture.failedFuture(
                    BrokerException.store("the message store failed: " + cause.getMessage()));
        });
    }

    /**
     * On disk soon: what only makes a message come back if lost (a delivered mark, an auto-acked
     * message's removal). A failure here is logged and shows in health; nothing is lost.
     */
    void soon(MessageStore.Batch batch) {
        if (store == null || batch.isEmpty()) {
            return;
        }
        try {
            store.write(batch, false);
        } catch (StoreException e) {
            logFailure(e);
        }
    }

    private void logFailure(StoreException e) {
        if (failureLogged.compareAndSet(false, true)) {
            Broker.LOG.log(Level.SEVERE, "the message store failed; persistent SENDs are refused until restart", e);
        }
    }

    /** Null while the store works (or there is none); else what went wrong. */
    String problem() {
        return store == null ? null : store.problem();
    }
}
