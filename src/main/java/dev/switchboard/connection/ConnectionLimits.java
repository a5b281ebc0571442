package dev.switchboard.connection;

import dev.switchboard.config.SwitchboardConfig;

/** The per-connection limits of the contract's table, as one endpoint applies them. */
public record ConnectionLimits(int maxMessageBytes, long sendQueueBytes) {

    public static ConnectionLimits from(SwitchboardConfig config) {
        return new ConnectionLimits(config.maxMessageBytes(), config.sendQueueBytes());
    }

    public ConnectionLimits withMaxMessageBytes(int bytes) {
        return new ConnectionLimits(bytes, sendQueueBytes);
    }
}
