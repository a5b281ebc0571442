package dev.switchboard.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * The disk's own rate of small durable appends, measured in the folder the brokers keep their data
 * in: 200-byte records appended to a new file, {@code FileChannel.force(false)} (fdatasync) after
 * each, for a while. A broker that syncs once per message cannot pass it; one that groups syncs can.
 */
final class FsyncProbe {

    private FsyncProbe() {
    }

    /** Appends-with-fsync per second in {@code dir} over {@code duration}; the probe's file is removed. */
    static double fsyncsPerSecond(Path dir, Duration duration) throws IOException {
        Path file = Files.createTempFile(dir, "fsync-probe", ".dat");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer record = ByteBuffer.allocateDirect(PersistentLoad.BODY_BYTES);
            long syncs = 0;
            long t0 = System.nanoTime();
            long end = t0 + duration.toNanos();
            long now;
            do {
                record.clear();
                while (record.hasRemaining()) {
                    channel.write(record);
                }
                channel.force(false);
                syncs++;
                now = System.nanoTime();
            } while (now < end);
            return syncs / ((now - t0) / 1e9);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
