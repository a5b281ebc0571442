package dev.switchboard.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this test JVM (which also runs the server under test) holds: heap, open files, threads. */
public final class ProcessResources {

    private ProcessResources() {
    }

    /** Used heap after a few full collections, so what is left is what is still referenced. */
    public static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Open file descriptors (sockets included), from /proc. */
    public static long openFiles() {
        try (var files = Files.list(Path.of("/proc/self/fd"))) {
            return files.count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Threads other than the test's own HTTP clients' pools (those pool as they like). */
    public static long serverThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !t.getName().startsWith("HttpClient") && !t.getName().startsWith("ForkJoinPool"))
                .count();
    }
}
