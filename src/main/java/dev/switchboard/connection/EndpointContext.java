package dev.switchboard.connection;

import dev.switchboard.ops.EndpointMetrics;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every endpoint instance is given: its metrics, the server's connection registry, its
 * limits, and the application's own threads — {@code tasks} (the bounded pool departures run on)
 * and {@code timers} (close-grace teardowns) — never the JVM's common pool.
 */
public record EndpointContext(EndpointMetrics metrics, ConnectionRegistry connections, ConnectionLimits limits,
                              Executor tasks, ScheduledExecutorService timers) {
}
