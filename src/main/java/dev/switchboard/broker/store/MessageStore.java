package dev.switchboard.broker.store;

import java.util.ArrayList;
import java.util.List;

/**
 * What the broker keeps on disk so that it survives a crash and a restart (docs/protocol.md,
 * "stomp", Persistence): persistent queue messages (a durable subscription's backlog is a queue
 * too), whether each was already delivered, and durable topic subscriptions. The content of a
 * message is the broker's own encoding; the store never looks inside it.
 */
public interface MessageStore extends AutoCloseable {

    /**
     * A message as kept. {@code delivered}: handed to a subscriber that had to acknowledge it and
     * has not, so after a restart it goes out again with {@code redelivered:true}.
     */
    record StoredMessage(long id, String queue, boolean delivered, byte[] content) {
    }

    /** A durable topic subscription (Artemis's {@code client-id} + {@code durable-subscription-name}). */
    record StoredSubscription(long id, String clientId, String name, String topic, String selector) {
    }

    /**
     * What {@link #open()} found: messages in id order (the order they were stored), the durable
     * subscriptions, and how many records it could not recover (an incomplete tail after a crash,
     * a transaction whose commit never reached the disk).
     */
    record Contents(List<StoredMessage> messages, List<StoredSubscription> subscriptions, long droppedRecords) {
    }

    /** One atomic write: after a crash either all of it is in the store or none of it. */
    final class Batch {
        public sealed interface Operation permits AddMessage, MarkDelivered, RemoveMessage, AddSubscription,
                RemoveSubscription {
        }

        public record AddMessage(long id, String queue, byte[] content) implements Operation {
        }

        public record MarkDelivered(long id) implements Operation {
        }

        public record RemoveMessage(long id) implements Operation {
        }

        public record AddSubscription(StoredSubscription subscription) implements Operation {
        }

        public record RemoveSubscription(long id) implements Operation {
        }

        private final List<Operation> operations = new ArrayList<>();

        public Batch addMessage(long id, String queue, byte[] content) {
            operations.add(new AddMessage(id, queue, content));
            return this;
        }

        public Batch markDelivered(long id) {
            operations.add(new MarkDelivered(id));
            return this;
        }

        public Batch removeMessage(long id) {
            operations.add(new RemoveMessage(id));
            return this;
        }

        public Batch addSubscription(StoredSubscription subscription) {
            operations.add(new AddSubscription(subscription));
            return this;
        }

        public Batch removeSubscription(long id) {
            operations.add(new RemoveSubscription(id));
            return this;
        }

        public List<Operation> operations() {
            return operations;
        }

        public boolean isEmpty() {
            return operations.isEmpty();
        }
    }

    /** Reads what is stored (once, before any write). */
    Contents open() throws StoreException;

    /** A new id, greater than every id stored so far, also across restarts. */
    long nextId();

    /**
     * Writes the batch atomically. With {@code durable}, returns only once it is on disk as the
     * sync policy says ({@code always}: forced to disk now, sharing the force with writes that
     * arrived meanwhile; {@code batch}: forced with the others of its group-commit window).
     * Without, it reaches the disk within the window (a crash just before may lose it: only ever
     * writes whose loss makes a message come back, never lose one, are made so).
     * Removing or marking an id that is not stored is ignored.
     */
    void write(Batch batch, boolean durable) throws StoreException;

    /**
     * {@link #write} without waiting: the returned stage completes once the batch is where
     * {@code write} would have waited for it (on disk, with {@code durable}), or fails with the
     * {@link StoreException}. Stages complete in the order of the calls, on the store's thread:
     * hand real work on to another. A store that cannot write without waiting does it here.
     */
    default java.util.concurrent.CompletableFuture<Void> writeAsync(Batch batch, boolean durable) {
        try {
            write(batch, durable);
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        } catch (StoreException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Null while the store works; else what went wrong (the disk is full, the folder cannot be
     * written). Once failed, every write fails with that problem; health reports DOWN.
     */
    String problem();

    /** Records the store holds now (messages and subscriptions). */
    long records();

    /** The largest content one message may have in this store. */
    default long maxRecordBytes() {
        return Long.MAX_VALUE;
    }

    /** Flushes what is pending to disk and releases the files. */
    @Override
    void close();
}
