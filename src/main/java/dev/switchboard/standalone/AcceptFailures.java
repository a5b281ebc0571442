package dev.switchboard.standalone;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Failed {@code accept()}s of the listener — above all EMFILE, the process out of file descriptors —
 * which Grizzly drops without a word: each is counted, and logged at most once per
 * {@link #LOG_INTERVAL_NANOS} with the number since the last line.
 */
final class AcceptFailures {

    private static final Logger LOG = Logger.getLogger(AcceptFailures.class.getName());
    static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final Counter descriptors;
    private final Counter other;
    private final LongSupplier nanoTime;
    private final AtomicLong nextLog;
    private final AtomicLong sinceLastLog = new AtomicLong();

    AcceptFailures(MeterRegistry registry, LongSupplier nanoTime) {
        this.descriptors = counter(registry, "descriptors");
        this.other = counter(registry, "other");
        this.nanoTime = nanoTime;
        this.nextLog = new AtomicLong(nanoTime.getAsLong());
    }

    private static Counter counter(MeterRegistry registry, String reason) {
        return Counter.builder("switchboard.accept.failures")
                .description("Connections the listener could not accept, by reason (descriptors: the process has no file descriptor left)")
                .tag("reason", reason).register(registry);
    }

    /** Counts a failure; returns whether it was logged. */
    boolean failed(Throwable error) {
        boolean outOfDescriptors = isOutOfDescriptors(error);
        (outOfDescriptors ? descriptors : other).increment();
        long missed = sinceLastLog.incrementAndGet();
        long now = nanoTime.getAsLong();
        long due = nextLog.get();
        if (now - due < 0 || !nextLog.compareAndSet(due, now + LOG_INTERVAL_NANOS)) {
            return false;
        }
        sinceLastLog.addAndGet(-missed);
        LOG.log(Level.SEVERE, outOfDescriptors
                ? "Cannot accept connections: the process has no file descriptor left ({0} failed accepts since the last report);"
                        + " raise the descriptor limit (ulimit -n, LimitNOFILE) or lower max-connections"
                : "Cannot accept connections ({0} failed accepts since the last report): " + error,
                missed);
        return true;
    }

    static boolean isOutOfDescriptors(Throwable error) {
        String message = error == null ? null : error.getMessage();
        return message != null && message.contains("Too many open files");
    }
}
