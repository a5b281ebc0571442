package dev.switchboard.stomp;

import dev.switchboard.broker.Broker;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * {@code GET stomp-stats[?offset=N&limit=M]}: the broker as the monitor page shows it — connected
 * sessions, the totals (always over every destination), the store's state, one page of
 * destinations in name order with their subscribers, queue depth, persistent, unacknowledged and
 * redelivered counts and message counts (rates are the page's deltas), and as many durable
 * subscriptions (active or away, with their backlog). Paged so
 * that a broker with many destinations answers in bounded time and size; {@code limit} defaults to
 * {@value #DEFAULT_LIMIT} and is at most {@value #MAX_LIMIT}. A bad number is HTTP 400.
 */
public final class StompStatsServlet extends HttpServlet {

    /** Looked up once: {@code Json.create…} looks the provider up again on every call (a ServiceLoader scan). */
    private static final JsonProvider JSON = JsonProvider.provider();

    static final int DEFAULT_LIMIT = 500;
    static final int MAX_LIMIT = 5_000;

    private final StompBroker broker;
    private final String storeSync;

    /** @param storeSync the store's sync policy as configured ({@code always} or {@code batch}), shown with its state */
    public StompStatsServlet(StompBroker broker, String storeSync) {
        this.broker = broker;
        this.storeSync = storeSync;
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
        for (Broker.DestinationStats d : page.destinations()) {
            JsonObjectBuilder entry = JSON.createObjectBuilder().add("destination", d.destination()).add("kind", d.kind())
                    .add("subscribers", d.subscribers()).add("depth", d.depth()).add("bytes", d.bytes())
                    .add("messagesIn", d.messagesIn()).add("messagesOut", d.messagesOut()).add("unacked", d.unacked());
            if (d.kind().equals("queue")) {
                entry.add("persistent", d.persistent()).add("redelivered", d.redelivered());
            } else {
                entry.add("durable", d.durable());
            }
            destinations.add(entry);
        }
        JsonArrayBuilder durables = JSON.createArrayBuilder();
        for (Broker.DurableStats d : page.durables()) {
            JsonObjectBuilder entry = JSON.createObjectBuilder().add("clientId", d.clientId()).add("name", d.name())
                    .add("topic", d.topic()).add("active", d.active()).add("backlog", d.backlog())
                    .add("unacked", d.unacked()).add("persistent", d.persistent());
            if (d.selector() != null) {
                entry.add("selector", d.selector());
            }
            durables.add(entry);
        }
        JsonObjectBuilder store = JSON.createObjectBuilder();
        String problem = broker.core().storeProblem();
        if (!broker.core().stores()) {
            store.add("state", "OFF");
        } else {
            store.add("state", problem == null ? "UP" : "DOWN").add("sync", storeSync);
            if (problem != null) {
                store.add("problem", problem);
            }
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
                        .add("messagesIn", t.messagesIn()).add("messagesOut", t.messagesOut())
                        .add("persistentMessages", t.persistentMessages())
                        .add("durableSubscriptions", t.durableSubscriptions()))
                .add("store", store)
                .add("offset", page.offset()).add("limit", limit)
                .add("destinations", destinations).add("durableSubscriptions", durables).build().toString());
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
