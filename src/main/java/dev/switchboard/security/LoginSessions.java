package dev.switchboard.security;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Browser logins: the login page trades a user's password for a random session token, kept in an
 * HttpOnly, SameSite=Strict cookie (browsers cannot put an Authorization header on a WebSocket
 * handshake, but they do send cookies). Tokens expire after {@code security.session-ttl}.
 */
public final class LoginSessions {

    public static final String COOKIE = "SWITCHBOARD_SESSION";
    /** Sessions one user may hold at once (browsers, devices); a new login beyond ends the oldest. */
    static final int MAX_PER_USER = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Entry(Identity identity, long expiresAtNanos) {
    }

    // Every session is bounded by a successful (bcrypt-checked, throttled) login and by
    // MAX_PER_USER, so the table holds at most MAX_PER_USER × configured users entries.

    /**
     * Where sessions live when not in this process: a table every node of a cluster shares, so a
     * login on one node is valid on all of them (a load balancer needs no stickiness).
     */
    public interface SharedTable {
        /** Keeps {@code token} for {@code identity} for {@code ttl}; the user's oldest go beyond {@code maxPerUser}. */
        void open(String token, Identity identity, Duration ttl, int maxPerUser);

        Optional<Identity> find(String token);

        void close(String token);
    }

    private final ConcurrentMap<String, Entry> sessions = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final LongSupplier nanoTime;
    /** The cluster's table, or null: this process's own. */
    private final SharedTable shared;

    public LoginSessions(Duration ttl, LongSupplier nanoTime) {
        this(ttl, nanoTime, null);
    }

    private LoginSessions(Duration ttl, LongSupplier nanoTime, SharedTable shared) {
        this.ttlNanos = ttl.toNanos();
        this.nanoTime = nanoTime;
        this.shared = shared;
    }

    /** The same sessions, kept in {@code table} instead of this process. */
    public LoginSessions sharedIn(SharedTable table) {
        return new LoginSessions(ttl(), nanoTime, table);
    }

    public Duration ttl() {
        return Duration.ofNanos(ttlNanos);
    }

    public String open(Identity identity) {
        if (shared != null) {
            String token = newToken();
            shared.open(token, identity, ttl(), MAX_PER_USER);
            return token;
        }
        long now = nanoTime.getAsLong();
        sessions.values().removeIf(e -> e.expiresAtNanos() - now < 0);
        List<Map.Entry<String, Entry>> mine = sessions.entrySet().stream()
                .filter(e -> e.getValue().identity().name().equals(identity.name()))
                .sorted(Comparator.comparingLong(e -> e.getValue().expiresAtNanos())).toList();
        for (int i = 0; i <= mine.size() - MAX_PER_USER; i++) {
            sessions.remove(mine.get(i).getKey());
        }
        String token = newToken();
        sessions.put(token, new Entry(identity, now + ttlNanos));
        return token;
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public Optional<Identity> find(String token) {
        if (shared != null) {
            return token == null ? Optional.empty() : shared.find(token);
        }
        Entry entry = token == null ? null : sessions.get(token);
        if (entry == null) {
            return Optional.empty();
        }
        if (entry.expiresAtNanos() - nanoTime.getAsLong() < 0) {
            sessions.remove(token);
            return Optional.empty();
        }
        return Optional.of(entry.identity());
    }

    public void close(String token) {
        if (token != null && shared != null) {
            shared.close(token);
        } else if (token != null) {
            sessions.remove(token);
        }
    }

    /** The session token in a Cookie header, or null. */
    public static String tokenFromCookieHeader(String cookieHeader) {
        if (cookieHeader == null) {
            return null;
        }
        for (String part : cookieHeader.split(";")) {
            String cookie = part.trim();
            if (cookie.startsWith(COOKIE + "=")) {
                return cookie.substring(COOKIE.length() + 1);
            }
        }
        return null;
    }
}
