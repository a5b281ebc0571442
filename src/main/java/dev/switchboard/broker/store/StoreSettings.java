package dev.switchboard.broker.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How the store keeps its files.
 *
 * @param folder      the store's own folder (the caller picks it under data-dir); created when missing
 * @param sync        when a durable write counts as written ({@code stomp.store.sync})
 * @param batchWindow {@link Sync#BATCH}: the group-commit window, the longest a durable write waits
 *                    for others to share its force; both policies: the longest a write that is not
 *                    durable stays in the process before it reaches the operating system
 * @param fileBytes   size of one journal file; a single record (one message) must fit in
 *                    {@code min(fileBytes, 2 MiB)}
 */
public record StoreSettings(Path folder, Sync sync, Duration batchWindow, long fileBytes) {

    /**
     * 3 ms: close to Artemis's own default buffer timeout for NIO (1/300 s), which bounds the forces
     * to about 300 a second; short next to a network round trip, so a client barely notices it.
     */
    public static final Duration DEFAULT_BATCH_WINDOW = Duration.ofMillis(3);

    /** 10 MiB, Artemis's default journal file size. */
    public static final long DEFAULT_FILE_BYTES = 10L * 1024 * 1024;

    /** Smallest file size taken: a STOMP frame of a few KiB must fit many times over. */
    public static final long MIN_FILE_BYTES = 64L * 1024;

    public enum Sync {
        /** A durable write returns once forced to disk; writes that arrive during one force share the next. */
        ALWAYS,
        /** A durable write is forced with the others of its group-commit window (fewer forces, more latency). */
        BATCH;

        /** The value of {@code stomp.store.sync}: {@code always} or {@code batch}. */
        public static Sync parse(String value) {
            String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "always" -> ALWAYS;
                case "batch" -> BATCH;
                default -> throw new IllegalArgumentException(
                        "stomp.store.sync must be \"always\" or \"batch\", not \"" + value + "\"");
            };
        }
    }

    public StoreSettings {
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(sync, "sync");
        Objects.requireNonNull(batchWindow, "batchWindow");
        if (batchWindow.isNegative() || batchWindow.isZero() || batchWindow.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("the store's batch window must be above 0 and at most 1 s, not "
                    + batchWindow.toMillis() + " ms");
        }
        if (fileBytes < MIN_FILE_BYTES || fileBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the store's file size must be between " + MIN_FILE_BYTES
                    + " and " + Integer.MAX_VALUE + " bytes, not " + fileBytes);
        }
    }

    /** The defaults: {@code always}, a 3 ms window, 10 MiB files. */
    public static StoreSettings defaults(Path folder) {
        return new StoreSettings(folder, Sync.ALWAYS, DEFAULT_BATCH_WINDOW, DEFAULT_FILE_BYTES);
    }

    public StoreSettings withSync(Sync value) {
        return new StoreSettings(folder, value, batchWindow, fileBytes);
    }

    public StoreSettings withBatchWindow(Duration value) {
        return new StoreSettings(folder, sync, value, fileBytes);
    }

    public StoreSettings withFileBytes(long value) {
        return new StoreSettings(folder, sync, batchWindow, value);
    }
}
