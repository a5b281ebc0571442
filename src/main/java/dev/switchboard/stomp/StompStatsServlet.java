package dev.switchboard.stomp;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.spi.JsonProvider;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * {@code GET stomp-stats[?offset=N&limit=M]}: the broker as the monitor page shows it — connected
 * sessions, the totals (always over every destination) and one page of destinations in name order
 * with their subscribers, queue depth and message counts (rates are the page's deltas). Paged so
 * that a broker with many destinations answers in bounded time and size; {@code limit} defaults to
 * {@value #DEFAULT_LIMIT} and is at most {@value #MAX_LIMIT}. A bad number is HTTP 400.
 */
public final class StompStatsServlet extends HttpServlet {

    /** Looked up once: {@code Json.create…} looks the provider up again on every call (a ServiceLoader scan). */
    private static final JsonProvider JSON = JsonProvider.provider();

    static final int DEFAULT_LIMIT = 500;
    static final int MAX_LIMIT = 5_000;

    private final StompBroker broker;

    public StompStatsServlet(StompBroker broker) {
        this.broker = broker;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        int offset;
        int limit;
        try {
            offset = number(request.getParameter("offset"), 0, Integer.MAX_VALUE);
            limit = number(request.getParameter("limit"), DEFAULT_LIMIT, MAX_LIMIT);
        } catch (NumberFormatException e) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "offset and limit are whole numbers, limit at most "
                    + MAX_LIMIT);
            return;
        }
        StompBroker.Page page = broker.page(offset, limit);
        JsonArrayBuilder destinations = JSON.createArrayBuilder();
        for (StompBroker.DestinationStats d : page.destinations()) {
            destinations.add(JSON.createObjectBuilder().add("destination", d.destination()).add("kind", d.kind())
                    .add("subscribers", d.subscribers()).add("depth", d.depth()).add("bytes", d.bytes())
                    .add("messagesIn", d.messagesIn()).add("messagesOut", d.messagesOut()));
        }
        StompBroker.Totals t = page.totals();
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(JSON.createObjectBuilder().add("sessions", t.sessions())
                .add("time", System.currentTimeMillis())
                .add("totals", JSON.createObjectBuilder().add("destinations", t.destinations()).add("queues", t.queues())
                        .add("topics", t.topics()).add("queuedMessages", t.queuedMessages())
                        .add("queuedBytes", t.queuedBytes()).add("unackedTopicBytes", t.unackedTopicBytes())
                        .add("transactionBytes", t.transactionBytes()).add("heldBytes", t.heldBytes())
                        .add("messagesIn", t.messagesIn()).add("messagesOut", t.messagesOut()))
                .add("offset", page.offset()).add("limit", limit)
                .add("destinations", destinations).build().toString());
    }

    private static int number(String text, int absent, int max) {
        if (text == null || text.isEmpty()) {
            return absent;
        }
        int value = Integer.parseInt(text);
        if (value < 0 || value > max) {
            throw new NumberFormatException(text);
        }
        return value;
    }
}
