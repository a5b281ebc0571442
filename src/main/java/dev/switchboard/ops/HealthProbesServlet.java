package dev.switchboard.ops;

import jakarta.json.spi.JsonProvider;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.function.Supplier;

/**
 * The two probes an orchestrator asks (Kubernetes' liveness and readiness): {@code health/live} —
 * 200 whenever the process answers at all (restart it only when it does not) — and
 * {@code health/ready} — 200 {@code {"status":"READY"}} while it should get new clients, 503
 * {@code {"status":"NOT_READY","reason":…}} while it is starting, shutting down, or with
 * {@code cluster=on} not a running member of its grid. {@code health} itself is unchanged.
 */
public final class HealthProbesServlet extends HttpServlet {

    private static final JsonProvider JSON = JsonProvider.provider();

    private final Supplier<String> notReady;

    /** @param notReady why this node should get no new clients now, or null when it should */
    public HealthProbesServlet(Supplier<String> notReady) {
        this.notReady = notReady;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String probe = request.getServletPath();
        String body;
        if (probe.endsWith("/live")) {
            response.setStatus(200);
            body = JSON.createObjectBuilder().add("status", "LIVE").build().toString();
        } else {
            String reason = notReady.get();
            response.setStatus(reason == null ? 200 : 503);
            body = (reason == null ? JSON.createObjectBuilder().add("status", "READY")
                    : JSON.createObjectBuilder().add("status", "NOT_READY").add("reason", reason)).build().toString();
        }
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(body);
    }
}
