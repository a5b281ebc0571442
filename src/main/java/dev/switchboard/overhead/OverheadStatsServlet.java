package dev.switchboard.overhead;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/** {@code GET overhead/stats}: the same stats the ticker pushes to {@code overhead/ticker?stats}, for scripts. */
public final class OverheadStatsServlet extends HttpServlet {

    private final TickerFeed feed;

    public OverheadStatsServlet(TickerFeed feed) {
        this.feed = feed;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(feed.statsJson());
    }
}
