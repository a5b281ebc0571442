package dev.switchboard.security;

import dev.switchboard.security.scram.ScramServer;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.SwitchboardConfig;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Security as configured: off (the demo default: everyone is anonymous and may do anything but
 * operate the console from elsewhere), or on — then every endpoint but {@code stomp} wants an
 * authenticated user at the handshake, and {@link AccessRules} decide who may do what.
 * Credentials are HTTP Basic (non-browser clients) or the login page's session cookie (browsers).
 */
public final class SecurityPolicy {

    /**
     * What a login or a request's credentials came to. {@code THROTTLED}: too many failures for this
     * user or address lately (HTTP 429, {@code retryAfter}); {@code BUSY}: every password-check slot
     * stayed taken (HTTP 503, {@code retryAfter}). Neither looked at the password.
     */
    public record Credentials(Outcome outcome, Identity identity, Duration retryAfter) {
        public enum Outcome { NONE, VALID, INVALID, THROTTLED, BUSY }

        static final Credentials NONE = new Credentials(Outcome.NONE, null, null);
        static final Credentials INVALID = new Credentials(Outcome.INVALID, null, null);

        static Credentials valid(Identity identity) {
            return new Credentials(Outcome.VALID, identity, null);
        }

        public boolean isValid() {
            return outcome == Outcome.VALID;
        }

        /** Whole seconds for a {@code Retry-After} header (at least 1). */
        public long retryAfterSeconds() {
            return retryAfter == null ? 1 : Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        }
    }

    /** A good Basic header is checked with bcrypt once, then remembered this long (by its hash, never in clear). */
    static final Duration BASIC_CACHE_TTL = Duration.ofMinutes(1);
    /** How long a login waits for a password-check slot before it is answered {@code BUSY}. */
    static final Duration CHECK_SLOT_WAIT = Duration.ofSeconds(1);

    private final boolean on;
    private final UserStore users;
    private final AccessRules rules;
    private final LoginSessions sessions;
    private final FailedLogins failedLogins;
    private final ScramServer scram;
    /** bcrypt is slow by design: at most this many checks run at once, so logins cannot take every thread. */
    private final Semaphore checkSlots = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()));
    private final LongAdder passwordChecks = new LongAdder();
    private final Map<Credentials.Outcome, LongAdder> refusedLogins = new EnumMap<>(Credentials.Outcome.class);
    private final Cache<String, Identity> goodBasic = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(BASIC_CACHE_TTL).executor(Runnable::run).build();

    public SecurityPolicy(boolean on, UserStore users, AccessRules rules, LoginSessions sessions,
                          FailedLogins failedLogins) {
        this.on = on;
        this.users = users;
        this.rules = rules;
        this.sessions = sessions;
        this.failedLogins = failedLogins;
        this.scram = new ScramServer(users);
        for (Credentials.Outcome outcome : List.of(Credentials.Outcome.INVALID, Credentials.Outcome.THROTTLED,
                Credentials.Outcome.BUSY)) {
            refusedLogins.put(outcome, new LongAdder());
        }
    }

    /** Password checks run so far (bcrypt work: a cached Basic header or a throttled login runs none). */
    public long passwordChecks() {
        return passwordChecks.sum();
    }

    /** Logins refused so far: {@code INVALID} (wrong), {@code THROTTLED} (429) or {@code BUSY} (503). */
    public long refusedLogins(Credentials.Outcome outcome) {
        return refusedLogins.get(outcome).sum();
    }

    public static SecurityPolicy from(SwitchboardConfig config) {
        return from(config, null);
    }

    /** @param sharedSessions the cluster's login table, or null for this process's own */
    public static SecurityPolicy from(SwitchboardConfig config, LoginSessions.SharedTable sharedSessions) {
        boolean on = config.flag("security", false);
        UserStore users = UserStore.parse(config.list("security.users"), config.raw("security.users-file").orElse(null));
        if (on && users.isEmpty()) {
            // on with nobody able to log in is a mistake, not a lock-down
            throw new ConfigException("Invalid configuration 'security' = 'on': no users; set security.users or security.users-file");
        }
        AccessRules rules = AccessRules.parse(config.raw("security.rules").orElse(null));
        Duration ttl = config.duration("security.session-ttl", Duration.ofHours(8));
        LoginSessions sessions = new LoginSessions(ttl, System::nanoTime);
        return new SecurityPolicy(on, users, rules, sharedSessions == null ? sessions : sessions.sharedIn(sharedSessions),
                new FailedLogins(config.maxFailedLogins(), config.failedLoginWindow(), System::nanoTime));
    }

    public static SecurityPolicy off() {
        return new SecurityPolicy(false, UserStore.empty(), AccessRules.parse(null),
                new LoginSessions(Duration.ofHours(8), System::nanoTime),
                new FailedLogins(10, Duration.ofMinutes(1), System::nanoTime));
    }

    /** How many users are configured (the startup banner says it). */
    public int userCount() {
        return users.size();
    }

    public boolean isOn() {
        return on;
    }

    /**
     * Checks a user's password, as every way of logging in does (login page, Basic, STOMP CONNECT):
     * throttled per user and per address after repeated failures, on a bounded number of slots.
     *
     * @param address the client's address as this server saw it, or null when unknown
     */
    public Credentials login(String user, String password, String address) {
        Optional<Duration> wait = failedLogins.retryAfter(user, address);
        if (wait.isPresent()) {
            return refused(new Credentials(Credentials.Outcome.THROTTLED, null, wait.get()));
        }
        boolean slot;
        try {
            slot = checkSlots.tryAcquire(CHECK_SLOT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            slot = false;
        }
        if (!slot) {
            return refused(new Credentials(Credentials.Outcome.BUSY, null, Duration.ofSeconds(1)));
        }
        try {
            passwordChecks.increment();
            Optional<Identity> identity = users.verify(user, password);
            if (identity.isEmpty()) {
                failedLogins.failed(user, address);
                return refused(Credentials.INVALID);
            }
            return Credentials.valid(identity.get());
        } finally {
            checkSlots.release();
        }
    }

    /**
     * SCRAM over the configured users (XMPP's SASL): the exchange checks the proof itself, so the
     * throttle is asked before ({@link #throttled}) and told after ({@link #scramRefused}).
     */
    public ScramServer scram() {
        return scram;
    }

    /** How long this user or address must wait before another password attempt, if at all. */
    public Optional<Duration> throttled(String user, String address) {
        return failedLogins.retryAfter(user, address);
    }

    /** A SCRAM proof that failed: counted and throttled as a wrong password is. */
    public void scramRefused(String user, String address) {
        failedLogins.failed(user, address);
        refused(Credentials.INVALID);
    }

    /** A throttled attempt that was answered without looking at the proof. */
    public void throttledRefused() {
        refusedLogins.get(Credentials.Outcome.THROTTLED).increment();
    }

    /** The configured users' names, sorted (XMPP's roster: every user the server knows). */
    public List<String> userNames() {
        return users.names();
    }

    public LoginSessions sessions() {
        return sessions;
    }

    /** Whether {@code identity} may do {@code action} on {@code resource} (always, with security off). */
    public boolean allows(Identity identity, String action, String resource) {
        return !on || (identity != null && rules.allows(identity, action, resource));
    }

    /**
     * Checks an {@code Authorization} header (Basic) and a {@code Cookie} header (the login session).
     *
     * @param address the client's address, for the failed-login throttle (null when unknown)
     */
    public Credentials check(String authorization, String cookieHeader, String address) {
        if (authorization != null) {
            return basic(authorization, address);
        }
        String token = LoginSessions.tokenFromCookieHeader(cookieHeader);
        if (token != null) {
            return sessions.find(token).map(Credentials::valid).orElse(Credentials.INVALID);
        }
        return Credentials.NONE;
    }

    private Credentials basic(String authorization, String address) {
        String value = authorization.trim();
        if (value.length() < 6 || !value.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Credentials.INVALID;
        }
        String cacheKey = sha256(value);
        Identity known = goodBasic.getIfPresent(cacheKey);
        if (known != null) {
            return Credentials.valid(known);
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(value.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Credentials.INVALID;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Credentials.INVALID;
        }
        Credentials result = login(decoded.substring(0, colon), decoded.substring(colon + 1), address);
        if (result.isValid()) {
            goodBasic.put(cacheKey, result.identity());
        }
        return result;
    }

    private Credentials refused(Credentials credentials) {
        refusedLogins.get(credentials.outcome()).increment();
        return credentials;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
