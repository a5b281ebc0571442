package dev.switchboard.bus;

/**
 * How a fan-out stripe lets what its tasks send to one receiver leave as one write: the transport
 * implements it (transport/WriteBatch), the bus only opens, asks and flushes — it never sees a
 * frame or a connection.
 */
public interface WriteMerging {

    /** No merging: every send is written at once. */
    WriteMerging NONE = () -> null;

    /** Starts merging on this thread; null when there is nothing to merge with. */
    Batch open();

    /** What is held on one thread until it is flushed. */
    interface Batch {
        /** Whether any frame waits to be written. */
        boolean holding();

        /** Writes everything held, one write per receiver. */
        void flushAll();

        /** Writes what is held and stops merging on this thread. */
        void close();
    }
}
