package dev.switchboard.security;

import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * The checks every WebSocket handshake passes, in the contract's order: origin (403), then the
 * server-wide connection limit (503). Pure: it sees header values and a count, never a container.
 */
public final class HandshakeGuard {

    private final OriginPolicy origins;
    private final IntSupplier openConnections;
    private final int maxConnections;

    public HandshakeGuard(OriginPolicy origins, IntSupplier openConnections, int maxConnections) {
        this.origins = origins;
        this.openConnections = openConnections;
        this.maxConnections = maxConnections;
    }

    /**
     * @param origin     the {@code Origin} header or null
     * @param hostHeader the {@code Host} header or null
     * @return the refusal, or empty when the handshake may go on
     */
    public Optional<HandshakeRefusal> check(String origin, String hostHeader) {
        if (!origins.allows(origin, hostHeader)) {
            return Optional.of(HandshakeRefusal.forbiddenOrigin(origin));
        }
        // A check, not a reservation: concurrent handshakes may overshoot by a few, but a failed
        // handshake can never leak a slot.
        if (openConnections.getAsInt() >= maxConnections) {
            return Optional.of(HandshakeRefusal.serverFull(maxConnections));
        }
        return Optional.empty();
    }
}
