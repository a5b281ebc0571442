package dev.switchboard.ops;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/** {@code GET metrics}: the Prometheus text exposition of {@link SwitchboardMetrics}. */
public final class MetricsServlet extends HttpServlet {

    private final SwitchboardMetrics metrics;

    public MetricsServlet(SwitchboardMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType(SwitchboardMetrics.CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(metrics.scrape());
    }
}
