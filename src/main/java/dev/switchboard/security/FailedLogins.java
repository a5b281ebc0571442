package dev.switchboard.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Failed logins, counted per user name and per client address: after {@code max} failures within
 * {@code window} for either, further attempts are refused without looking at the password until
 * the oldest of those failures is {@code window} old. Another user from another address is
 * unaffected. Both tables are bounded (an attacker inventing names or addresses evicts the
 * quietest entries, never grows memory).
 */
public final class FailedLogins {

    private static final int MAX_TRACKED = 100_000;

    /** The times of the last {@code max} failures of one key, oldest first once full. */
    private static final class Failures {
        private final long[] times;
        private int next;
        private int count;

        Failures(int max) {
            times = new long[max];
        }

        synchronized void add(long now) {
            times[next] = now;
            next = (next + 1) % times.length;
            count = Math.min(count + 1, times.length);
        }

        /** Nanos until this key may try again; 0 when it may now. */
        synchronized long waitNanos(long now, long windowNanos) {
            if (count < times.length) {
                return 0;
            }
            long oldest = times[next]; // full ring: next is the oldest slot
            return Math.max(0, oldest + windowNanos - now);
        }
    }

    private final int max;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private final Cache<String, Failures> failures;

    public FailedLogins(int max, Duration window, LongSupplier nanoTime) {
        this.max = max;
        this.windowNanos = window.toNanos();
        this.nanoTime = nanoTime;
        this.failures = Caffeine.newBuilder().maximumSize(MAX_TRACKED).expireAfterAccess(window)
                .ticker(nanoTime::getAsLong).executor(Runnable::run).build();
    }

    /** How long the caller must wait before this user or this address may try again, if it must. */
    public Optional<Duration> retryAfter(String user, String address) {
        long now = nanoTime.getAsLong();
        long wait = Math.max(waitNanos(userKey(user), now), waitNanos(addressKey(address), now));
        return wait == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(wait));
    }

    public void failed(String user, String address) {
        long now = nanoTime.getAsLong();
        for (String key : new String[] {userKey(user), addressKey(address)}) {
            if (key != null) {
                failures.get(key, k -> new Failures(max)).add(now);
            }
        }
    }

    private long waitNanos(String key, long now) {
        Failures entry = key == null ? null : failures.getIfPresent(key);
        return entry == null ? 0 : entry.waitNanos(now, windowNanos);
    }

    private static String userKey(String user) {
        return user == null || user.isEmpty() ? null : "user:" + user;
    }

    private static String addressKey(String address) {
        return address == null || address.isEmpty() ? null : "address:" + address;
    }
}
