package dev.switchboard.connection;

import dev.switchboard.config.SwitchboardConfig;

import java.time.Duration;

/**
 * The per-connection limits of the contract's table, as one endpoint applies them, how long a
 * closed connection's close handshake may take before its transport is ended anyway, and whether
 * its messages may take the container's fast path ({@code transport.fast-path}).
 */
public record ConnectionLimits(int maxMessageBytes, long sendQueueBytes, Duration closeGrace, boolean fastPath) {

    public ConnectionLimits(int maxMessageBytes, long sendQueueBytes) {
        this(maxMessageBytes, sendQueueBytes, Connection.CLOSE_GRACE);
    }

    public ConnectionLimits(int maxMessageBytes, long sendQueueBytes, Duration closeGrace) {
        this(maxMessageBytes, sendQueueBytes, closeGrace, true);
    }

    public static ConnectionLimits from(SwitchboardConfig config) {
        return new ConnectionLimits(config.maxMessageBytes(), config.sendQueueBytes(), Connection.CLOSE_GRACE,
                config.transportFastPath());
    }

    public ConnectionLimits withMaxMessageBytes(int bytes) {
        return new ConnectionLimits(bytes, sendQueueBytes, closeGrace, fastPath);
    }
}
