package dev.switchboard.ops;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * {@code GET health}: {@code {"status":"UP",…}} with 200, or {@code "DOWN"} with 503 once the
 * application is shutting down, its heap is critically full after GC ({@link HeapUsage}), or its
 * STOMP store has failed (disk full, folder gone: persistent SENDs are refused), so a load
 * balancer stops sending new clients before they fail.
 */
public final class HealthServlet extends HttpServlet {

    /** Looked up once: {@code Json.create…} looks the provider up again on every call (a ServiceLoader scan). */
    private static final JsonProvider JSON = JsonProvider.provider();

    private final SwitchboardMetrics metrics;
    private final IntSupplier openConnections;
    private final BooleanSupplier shuttingDown;
    private final Supplier<HeapUsage> heap;
    private final Supplier<String> storeProblem;
    private final Supplier<ClusterStatus> cluster;
    private final Instant started = Instant.now();

    /** @param storeProblem what is wrong with the store, or null while it works */
    public HealthServlet(SwitchboardMetrics metrics, IntSupplier openConnections, BooleanSupplier shuttingDown,
                         Supplier<String> storeProblem) {
        this(metrics, openConnections, shuttingDown, HeapUsage::current, storeProblem, () -> null);
    }

    /** @param cluster this node in its cluster, or null with {@code cluster=off} */
    public HealthServlet(SwitchboardMetrics metrics, IntSupplier openConnections, BooleanSupplier shuttingDown,
                         Supplier<String> storeProblem, Supplier<ClusterStatus> cluster) {
        this(metrics, openConnections, shuttingDown, HeapUsage::current, storeProblem, cluster);
    }

    HealthServlet(SwitchboardMetrics metrics, IntSupplier openConnections, BooleanSupplier shuttingDown,
                          Supplier<HeapUsage> heap, Supplier<String> storeProblem, Supplier<ClusterStatus> cluster) {
        this.cluster = cluster;
        this.metrics = metrics;
        this.openConnections = openConnections;
        this.shuttingDown = shuttingDown;
        this.heap = heap;
        this.storeProblem = storeProblem;
    }

    /** Pure: DOWN while shutting down or when the heap is critically full after GC. */
    static boolean up(boolean shuttingDown, HeapUsage heap) {
        return !shuttingDown && !heap.critical();
    }

    JsonObject report() {
        return report(shuttingDown.getAsBoolean(), heap.get(), storeProblem.get());
    }

    private JsonObject report(boolean stopping, HeapUsage heapNow, String store) {
        JsonObjectBuilder endpoints = JSON.createObjectBuilder();
        for (EndpointMetrics endpoint : metrics.endpoints()) {
            endpoints.add(endpoint.endpoint(), JSON.createObjectBuilder().add("open", endpoint.openConnections()));
        }
        JsonObjectBuilder report = JSON.createObjectBuilder()
                .add("status", up(stopping, heapNow) && store == null ? "UP" : "DOWN");
        if (stopping) {
            report.add("reason", "shutting down");
        } else if (heapNow.critical()) {
            report.add("reason", "heap " + Math.round(heapNow.ratio() * 100) + "% full after GC");
        } else if (store != null) {
            report.add("reason", "STOMP store failed: " + store);
        }
        ClusterStatus node = cluster.get();
        if (node != null) {
            report.add("cluster", JSON.createObjectBuilder().add("members", node.members()).add("node", node.node()));
        }
        return report
                .add("uptimeSeconds", Duration.between(started, Instant.now()).toSeconds())
                .add("connections", openConnections.getAsInt())
                .add("endpoints", endpoints)
                .add("heap", JSON.createObjectBuilder().add("usedAfterGcBytes", heapNow.usedAfterGc())
                        .add("maxBytes", heapNow.max()).add("ratio", Math.round(heapNow.ratio() * 1000) / 1000.0))
                .build();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean stopping = shuttingDown.getAsBoolean();
        HeapUsage heapNow = heap.get();
        String store = storeProblem.get();
        JsonObject report = report(stopping, heapNow, store);
        response.setStatus(up(stopping, heapNow) && store == null ? 200 : 503);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(report.toString());
    }
}
