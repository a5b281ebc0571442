package dev.switchboard.stomp;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * {@code GET stomp-stats}: the broker as the monitor page shows it — connected sessions and every
 * destination with its subscribers, queue depth and message counts (rates are the page's deltas).
 */
public final class StompStatsServlet extends HttpServlet {

    private final StompBroker broker;

    public StompStatsServlet(StompBroker broker) {
        this.broker = broker;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        JsonArrayBuilder destinations = Json.createArrayBuilder();
        for (StompBroker.DestinationStats d : broker.stats()) {
            destinations.add(Json.createObjectBuilder().add("destination", d.destination()).add("kind", d.kind())
                    .add("subscribers", d.subscribers()).add("depth", d.depth())
                    .add("messagesIn", d.messagesIn()).add("messagesOut", d.messagesOut()));
        }
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(Json.createObjectBuilder().add("sessions", broker.sessionCount())
                .add("time", System.currentTimeMillis()).add("destinations", destinations).build().toString());
    }
}
