package dev.switchboard.connection;

import dev.switchboard.config.SwitchboardConfig;

import java.time.Duration;

/**
 * The per-connection limits of the contract's table, as one endpoint applies them, and how long a
 * closed connection's close handshake may take before its transport is ended anyway.
 */
public record ConnectionLimits(int maxMessageBytes, long sendQueueBytes, Duration closeGrace) {

    public ConnectionLimits(int maxMessageBytes, long sendQueueBytes) {
        this(maxMessageBytes, sendQueueBytes, Connection.CLOSE_GRACE);
    }

    public static ConnectionLimits from(SwitchboardConfig config) {
        return new ConnectionLimits(config.maxMessageBytes(), config.sendQueueBytes());
    }

    public ConnectionLimits withMaxMessageBytes(int bytes) {
        return new ConnectionLimits(bytes, sendQueueBytes, closeGrace);
    }
}
