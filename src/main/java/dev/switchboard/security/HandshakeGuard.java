package dev.switchboard.security;

import java.util.function.IntSupplier;

/**
 * The checks every WebSocket handshake passes, in the contract's order: origin (403), then
 * credentials (401), then the endpoint's rule (403), then the server-wide connection limit (503).
 * Pure: it sees header values, a count and the policy, never a container.
 */
public final class HandshakeGuard {

    /** What an endpoint asks of a handshake when security is on. */
    public record Access(boolean requiresUser, String action) {
        /** Anyone may open it; credentials, when given, must be right (STOMP authenticates at CONNECT). */
        public static final Access OPEN = new Access(false, null);
        /** Any authenticated user. */
        public static final Access USER = new Access(true, null);

        /** An authenticated user whom {@code security.rules} allow {@code action} on the path's last segment. */
        public static Access rule(String action) {
            return new Access(true, action);
        }
    }

    /** The parts of a handshake request the guard looks at. */
    public record Request(String origin, String host, String authorization, String cookie, Identity containerUser,
                          String resource, String address) {
    }

    /** Either a refusal or the identity the connection runs as (null: nobody logged in, where allowed). */
    public record Decision(HandshakeRefusal refusal, Identity identity) {
        public boolean refused() {
            return refusal != null;
        }
    }

    private final OriginPolicy origins;
    private final SecurityPolicy security;
    private final IntSupplier openConnections;
    private final int maxConnections;
    private final TrustedProxies proxies;

    public HandshakeGuard(OriginPolicy origins, SecurityPolicy security, IntSupplier openConnections, int maxConnections) {
        this(origins, security, openConnections, maxConnections, TrustedProxies.NONE);
    }

    public HandshakeGuard(OriginPolicy origins, SecurityPolicy security, IntSupplier openConnections, int maxConnections,
                          TrustedProxies proxies) {
        this.origins = origins;
        this.security = security;
        this.openConnections = openConnections;
        this.maxConnections = maxConnections;
        this.proxies = proxies;
    }

    /** Whose forwarding headers a handshake's (and any HTTP request's) client is taken from. */
    public TrustedProxies trustedProxies() {
        return proxies;
    }

    public Decision check(Request request, Access access) {
        if (!origins.allows(request.origin(), request.host())) {
            return refuse(HandshakeRefusal.forbiddenOrigin(request.origin()));
        }
        Identity identity = Identity.ANONYMOUS;
        if (security.isOn()) {
            SecurityPolicy.Credentials credentials = security.check(request.authorization(), request.cookie(),
                    request.address());
            switch (credentials.outcome()) {
                case INVALID -> {
                    return refuse(HandshakeRefusal.unauthenticated("wrong credentials"));
                }
                case THROTTLED -> {
                    return refuse(HandshakeRefusal.throttled(credentials.retryAfterSeconds()));
                }
                case BUSY -> {
                    return refuse(HandshakeRefusal.busy(credentials.retryAfterSeconds()));
                }
                case VALID -> identity = credentials.identity();
                case NONE -> identity = request.containerUser();
            }
            if (identity == null && access.requiresUser()) {
                return refuse(HandshakeRefusal.unauthenticated("credentials required"));
            }
            if (access.action() != null && !security.allows(identity, access.action(), request.resource())) {
                return refuse(HandshakeRefusal.forbidden(identity.name() + " may not use " + access.action()
                        + " '" + request.resource() + "'"));
            }
        }
        // A check, not a reservation: concurrent handshakes may overshoot by a few, but a failed
        // handshake can never leak a slot.
        if (openConnections.getAsInt() >= maxConnections) {
            return refuse(HandshakeRefusal.serverFull(maxConnections));
        }
        return new Decision(null, identity);
    }

    private static Decision refuse(HandshakeRefusal refusal) {
        return new Decision(refusal, null);
    }
}
