package dev.switchboard.standalone;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.IntSupplier;

/** What the standalone listener refuses or cuts off before a request reaches a servlet or a WebSocket. */
final class HttpListenerMetrics {

    private final MeterRegistry registry;
    private final Counter handshakeTimeouts;
    private final ConcurrentMap<Integer, Counter> refusals = new ConcurrentHashMap<>();

    HttpListenerMetrics(MeterRegistry registry, IntSupplier sockets, IntSupplier unfinished, int maxConnections) {
        this.registry = registry;
        Gauge.builder("switchboard.listener.connections", sockets, IntSupplier::getAsInt)
                .description("TCP connections the listener holds: WebSockets, HTTP and unfinished requests")
                .tag("state", "all").strongReference(true).register(registry);
        Gauge.builder("switchboard.listener.connections", unfinished, IntSupplier::getAsInt)
                .description("TCP connections the listener holds: WebSockets, HTTP and unfinished requests")
                .tag("state", "unfinished").strongReference(true).register(registry);
        Gauge.builder("switchboard.listener.max.connections", () -> maxConnections)
                .description("max-connections in effect (lowered to the descriptor limit when that is smaller)").register(registry);
        handshakeTimeouts = Counter.builder("switchboard.listener.handshake.timeouts")
                .description("Connections closed because their request was not complete within handshake-timeout")
                .register(registry);
    }

    void refused(int status) {
        refusals.computeIfAbsent(status, s -> Counter.builder("switchboard.listener.refused")
                .description("Requests the listener answered itself and closed, by HTTP status (malformed 400, full 503)")
                .tag("status", Integer.toString(s)).register(registry)).increment();
    }

    void handshakeTimedOut() {
        handshakeTimeouts.increment();
    }
}
