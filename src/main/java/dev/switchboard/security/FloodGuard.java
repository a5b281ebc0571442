package dev.switchboard.security;

import java.util.function.LongSupplier;

/**
 * Per-connection message rate limit: a token bucket of {@code rate} tokens per second holding at
 * most {@code burst}. A message over the rate is rejected (answered {@code rate-limited}); each
 * rejection — and each other error reply — draws on a second, slowly refilling tolerance of
 * {@code burst} strikes, and when that is gone the abuse is persistent: close with 1008.
 * A client that keeps to the rate never gets a strike; a brief burst past it is forgiven.
 */
public final class FloodGuard {

    public enum Verdict { ADMIT, REJECT, CLOSE }

    private static final double NANOS_PER_SECOND = 1e9;

    private final double rate;
    private final double burst;
    private final double toleranceRate;
    private final LongSupplier nanoTime;
    private double tokens;
    private double tolerance;
    private long last;

    public FloodGuard(int ratePerSecond, int burst, LongSupplier nanoTime) {
        this.rate = ratePerSecond;
        this.burst = burst;
        this.toleranceRate = Math.max(1.0, ratePerSecond / 10.0);
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.tolerance = burst;
        this.last = nanoTime.getAsLong();
    }

    /** One incoming message. */
    public synchronized Verdict admit() {
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.ADMIT;
        }
        return strike() ? Verdict.CLOSE : Verdict.REJECT;
    }

    /** One error reply (a rejected or bad message); true when tolerance is exhausted and the connection should close. */
    public synchronized boolean strike() {
        refill();
        tolerance -= 1;
        return tolerance < 0;
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        double seconds = (now - last) / NANOS_PER_SECOND;
        last = now;
        if (seconds > 0) {
            tokens = Math.min(burst, tokens + seconds * rate);
            tolerance = Math.min(burst, tolerance + seconds * toleranceRate);
        }
    }
}
