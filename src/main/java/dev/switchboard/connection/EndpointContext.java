package dev.switchboard.connection;

import dev.switchboard.ops.EndpointMetrics;

/** What every endpoint instance is given: its metrics, the server's connection registry and its limits. */
public record EndpointContext(EndpointMetrics metrics, ConnectionRegistry connections, ConnectionLimits limits) {
}
