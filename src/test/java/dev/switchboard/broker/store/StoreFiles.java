package dev.switchboard.broker.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What the store tests do to the files behind a store: find a record's bytes, cut or spoil them, count. */
final class StoreFiles {

    private StoreFiles() {
    }

    static StoreSettings small(Path folder) {
        return StoreSettings.defaults(folder).withFileBytes(StoreSettings.MIN_FILE_BYTES);
    }

    /** Content that is easy to find again in the journal files. */
    static byte[] content(long id) {
        return ("message-" + id + "-" + "x".repeat(150) + "-end-" + id).getBytes();
    }

    record Found(Path file, long offset) {
    }

    /** The journal file holding these bytes, and where they start. */
    static Found find(Path folder, byte[] bytes) throws IOException {
        for (Path file : journalFiles(folder)) {
            byte[] all = Files.readAllBytes(file);
            outer:
            for (int i = 0; i + bytes.length <= all.length; i++) {
                for (int k = 0; k < bytes.length; k++) {
                    if (all[i + k] != bytes[k]) {
                        continue outer;
                    }
                }
                return new Found(file, i);
            }
        }
        throw new AssertionError("not in the journal: " + new String(bytes));
    }

    static List<Path> journalFiles(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jrn")).sorted().toList();
        }
    }

    static long journalBytes(Path folder) {
        try {
            long total = 0;
            for (Path f : journalFiles(folder)) {
                try {
                    total += Files.size(f);
                } catch (java.nio.file.NoSuchFileException compactedMeanwhile) {
                    // the journal deletes files while it compacts, between the listing and this look
                }
            }
            return total;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Collects what a logger says while a test runs. */
    static final class LogCapture extends Handler implements AutoCloseable {
        private final Logger logger;
        private final List<String> lines = new ArrayList<>();

        LogCapture(Class<?> source) {
            logger = Logger.getLogger(source.getName());
            logger.addHandler(this);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            lines.add(record.getMessage());
        }

        synchronized List<String> lines() {
            return List.copyOf(lines);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    static boolean same(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }
}
