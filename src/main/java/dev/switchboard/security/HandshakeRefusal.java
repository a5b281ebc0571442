package dev.switchboard.security;

/**
 * Why a WebSocket handshake is refused: the HTTP status it gets, a short reason for the log, and
 * for 429 and 503 the seconds after which a retry can succeed ({@code Retry-After}; 0 for none).
 */
public record HandshakeRefusal(int status, String reason, long retryAfterSeconds) {

    public static HandshakeRefusal forbiddenOrigin(String origin) {
        return new HandshakeRefusal(403, "origin not allowed: " + origin, 0);
    }

    public static HandshakeRefusal unauthenticated(String reason) {
        return new HandshakeRefusal(401, reason, 0);
    }

    public static HandshakeRefusal forbidden(String reason) {
        return new HandshakeRefusal(403, reason, 0);
    }

    public static HandshakeRefusal serverFull(int maxConnections) {
        return new HandshakeRefusal(503, "server full: max-connections " + maxConnections + " reached", 0);
    }

    /** Too many failed logins for this user or address (RFC 6585 §4). */
    public static HandshakeRefusal throttled(long retryAfterSeconds) {
        return new HandshakeRefusal(429, "too many failed logins", retryAfterSeconds);
    }

    /** Every password-check slot is taken. */
    public static HandshakeRefusal busy(long retryAfterSeconds) {
        return new HandshakeRefusal(503, "password checks busy", retryAfterSeconds);
    }
}
