package dev.switchboard.ops;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * {@code GET health}: {@code {"status":"UP",…}} with 200, or {@code "DOWN"} with 503 once the
 * application is shutting down, so a load balancer stops sending new clients.
 */
public final class HealthServlet extends HttpServlet {

    private final SwitchboardMetrics metrics;
    private final IntSupplier openConnections;
    private final BooleanSupplier shuttingDown;
    private final Instant started = Instant.now();

    public HealthServlet(SwitchboardMetrics metrics, IntSupplier openConnections, BooleanSupplier shuttingDown) {
        this.metrics = metrics;
        this.openConnections = openConnections;
        this.shuttingDown = shuttingDown;
    }

    JsonObject report() {
        JsonObjectBuilder endpoints = Json.createObjectBuilder();
        for (EndpointMetrics endpoint : metrics.endpoints()) {
            endpoints.add(endpoint.endpoint(), Json.createObjectBuilder().add("open", endpoint.openConnections()));
        }
        return Json.createObjectBuilder()
                .add("status", shuttingDown.getAsBoolean() ? "DOWN" : "UP")
                .add("uptimeSeconds", Duration.between(started, Instant.now()).toSeconds())
                .add("connections", openConnections.getAsInt())
                .add("endpoints", endpoints)
                .build();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        JsonObject report = report();
        response.setStatus(shuttingDown.getAsBoolean() ? 503 : 200);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(report.toString());
    }
}
