package dev.switchboard.connection;

import dev.switchboard.ops.DaemonThreads;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One sweep over every open connection, a few times per interval: a peer quiet for
 * {@code keepalive-interval} gets a ping (proxies drop silent WebSockets; a live peer answers with
 * a pong), and one not heard from for {@code idle-timeout} — no message, no pong — is closed with
 * 1001. So a live browser tab stays connected, and a dead or half-open peer is let go.
 */
public final class KeepAlive implements AutoCloseable {

    private final ConnectionRegistry connections;
    private final long idleNanos;
    private final long pingNanos;
    private final ScheduledExecutorService sweeper;

    public KeepAlive(ConnectionRegistry connections, Duration idleTimeout, Duration pingInterval) {
        this.connections = connections;
        this.idleNanos = idleTimeout.toNanos();
        this.pingNanos = pingInterval.toNanos();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("switchboard-keepalive"));
        long shortest = pingNanos > 0 ? Math.min(idleNanos, pingNanos) : idleNanos;
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1), shortest / 4));
        if (idleNanos > 0 || pingNanos > 0) {
            sweeper.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
        }
    }

    void sweep() {
        long now = System.nanoTime();
        connections.forEach(connection -> {
            long quiet = now - connection.lastHeardNanos();
            if (idleNanos > 0 && quiet >= idleNanos) {
                connection.close(1001, "idle timeout");
            } else if (pingNanos > 0 && quiet >= pingNanos && now - connection.lastPingNanos() >= pingNanos) {
                connection.ping();
            }
        });
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
