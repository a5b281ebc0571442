package dev.switchboard.security;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.SwitchboardConfig;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Security as configured: off (the demo default: everyone is anonymous and may do anything but
 * operate the console from elsewhere), or on — then every endpoint but {@code stomp} wants an
 * authenticated user at the handshake, and {@link AccessRules} decide who may do what.
 * Credentials are HTTP Basic (non-browser clients) or the login page's session cookie (browsers).
 */
public final class SecurityPolicy {

    /** What a request's credentials came to. */
    public record Credentials(Outcome outcome, Identity identity) {
        public enum Outcome { NONE, VALID, INVALID }

        static final Credentials NONE = new Credentials(Outcome.NONE, null);
        static final Credentials INVALID = new Credentials(Outcome.INVALID, null);
    }

    private final boolean on;
    private final UserStore users;
    private final AccessRules rules;
    private final LoginSessions sessions;

    public SecurityPolicy(boolean on, UserStore users, AccessRules rules, LoginSessions sessions) {
        this.on = on;
        this.users = users;
        this.rules = rules;
        this.sessions = sessions;
    }

    public static SecurityPolicy from(SwitchboardConfig config) {
        boolean on = config.flag("security", false);
        UserStore users = UserStore.parse(config.list("security.users"), config.raw("security.users-file").orElse(null));
        if (on && users.isEmpty()) {
            // on with nobody able to log in is a mistake, not a lock-down
            throw new ConfigException("Invalid configuration 'security' = 'on': no users; set security.users or security.users-file");
        }
        AccessRules rules = AccessRules.parse(config.raw("security.rules").orElse(null));
        Duration ttl = config.duration("security.session-ttl", Duration.ofHours(8));
        return new SecurityPolicy(on, users, rules, new LoginSessions(ttl, System::nanoTime));
    }

    public static SecurityPolicy off() {
        return new SecurityPolicy(false, UserStore.empty(), AccessRules.parse(null), new LoginSessions(Duration.ofHours(8), System::nanoTime));
    }

    public boolean isOn() {
        return on;
    }

    public UserStore users() {
        return users;
    }

    public AccessRules rules() {
        return rules;
    }

    public LoginSessions sessions() {
        return sessions;
    }

    /** Whether {@code identity} may do {@code action} on {@code resource} (always, with security off). */
    public boolean allows(Identity identity, String action, String resource) {
        return !on || (identity != null && rules.allows(identity, action, resource));
    }

    /** Checks an {@code Authorization} header (Basic) and a {@code Cookie} header (the login session). */
    public Credentials check(String authorization, String cookieHeader) {
        if (authorization != null) {
            return basic(authorization).map(id -> new Credentials(Credentials.Outcome.VALID, id)).orElse(Credentials.INVALID);
        }
        String token = LoginSessions.tokenFromCookieHeader(cookieHeader);
        if (token != null) {
            return sessions.find(token).map(id -> new Credentials(Credentials.Outcome.VALID, id)).orElse(Credentials.INVALID);
        }
        return Credentials.NONE;
    }

    private Optional<Identity> basic(String authorization) {
        String value = authorization.trim();
        if (value.length() < 6 || !value.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(value.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? Optional.empty() : users.verify(decoded.substring(0, colon), decoded.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
