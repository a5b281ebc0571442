package dev.switchboard.security;

/** Why a WebSocket handshake is refused: the HTTP status it gets and a short reason for the log. */
public record HandshakeRefusal(int status, String reason) {

    public static HandshakeRefusal forbiddenOrigin(String origin) {
        return new HandshakeRefusal(403, "origin not allowed: " + origin);
    }

    public static HandshakeRefusal unauthenticated(String reason) {
        return new HandshakeRefusal(401, reason);
    }

    public static HandshakeRefusal forbidden(String reason) {
        return new HandshakeRefusal(403, reason);
    }

    public static HandshakeRefusal serverFull(int maxConnections) {
        return new HandshakeRefusal(503, "server full: max-connections " + maxConnections + " reached");
    }
}
