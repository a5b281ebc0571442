package dev.switchboard.ops;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one way Switchboard makes its own threads: daemon (they never keep a stopping JVM or
 * application server alive; each owner shuts its executor down itself) and named, so a thread
 * dump says whose they are.
 */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** Threads named {@code name}, then {@code name-2}, {@code name-3}… for a pool. */
    public static ThreadFactory named(String name) {
        AtomicInteger made = new AtomicInteger();
        return task -> {
            int n = made.incrementAndGet();
            Thread thread = new Thread(task, n == 1 ? name : name + "-" + n);
            thread.setDaemon(true);
            return thread;
        };
    }
}
