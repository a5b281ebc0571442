package dev.switchboard.admin;

import dev.switchboard.security.OperatorOnlyFilter;
import dev.switchboard.security.OperatorPolicy;
import dev.switchboard.security.OriginPolicy;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET admin/connections[?offset=N&limit=M&q=TEXT]}: every open WebSocket of the cluster, a
 * page at a time ({@code limit} defaults to {@value #DEFAULT_LIMIT}, at most {@value #MAX_LIMIT});
 * {@code q} keeps those with the text in a field. {@code DELETE admin/connections/ID}: closes that
 * connection with 1008 "closed by operator" wherever it is (204), 404 when none is open by that id.
 *
 * <p>Operators only: with security on {@link OperatorOnlyFilter} (mapped in front) lets only them
 * through; with it off, only requests from this machine's loopback address that no proxy forwarded
 * (the console's rule). A request with a foreign {@code Origin} is refused (403), so another site's
 * page cannot close connections through a browser on this machine.
 */
public final class ConnectionsServlet extends HttpServlet {

    private static final JsonProvider JSON = JsonProvider.provider();
    static final int DEFAULT_LIMIT = 500;
    static final int MAX_LIMIT = 5_000;

    private final ConnectionDirectory directory;
    private final boolean securityOn;
    private final OriginPolicy origins;

    public ConnectionsServlet(ConnectionDirectory directory, boolean securityOn, OriginPolicy origins) {
        this.directory = directory;
        this.securityOn = securityOn;
        this.origins = origins;
    }

    /** Who is asking, when they may: the operator's name (security on) or "anonymous@ADDRESS" (loopback); null when refused (answered). */
    private String operator(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String origin = request.getHeader("Origin");
        if (origin != null && !origins.allows(origin, request.getHeader("Host"))) {
            plain(response, 403, "foreign origin");
            return null;
        }
        if (securityOn) {
            Object name = request.getAttribute(OperatorOnlyFilter.OPERATOR);
            if (name == null) { // the filter is not in front: never open up
                plain(response, 403, "operators only");
                return null;
            }
            return name + "@" + request.getRemoteAddr();
        }
        // the client as trusted-proxies sees it: a forwarded request is loopback only if every hop was
        dev.switchboard.security.TrustedProxies.Client client = dev.switchboard.security.ForwardedRequestFilter.client(request);
        if (!OperatorPolicy.mayOperate(false, java.util.Set.of(), client.address(), client.forwarded())) {
            plain(response, 403, "operators only: with security off, from this machine (loopback) only");
            return null;
        }
        return "anonymous@" + request.getRemoteAddr();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (operator(request, response) == null) {
            return;
        }
        if (id(request) != null) {
            plain(response, 405, "GET the listing, DELETE a connection");
            return;
        }
        int offset;
        int limit;
        try {
            offset = number(request.getParameter("offset"), 0, Integer.MAX_VALUE);
            limit = number(request.getParameter("limit"), DEFAULT_LIMIT, MAX_LIMIT);
        } catch (NumberFormatException e) {
            plain(response, 400, "offset and limit are whole numbers, limit at most " + MAX_LIMIT);
            return;
        }
        ConnectionDirectory.Page page = directory.page(request.getParameter("q"), offset, limit);
        JsonArrayBuilder connections = JSON.createArrayBuilder();
        page.connections().forEach(c -> connections.add(c.toJson()));
        JsonArrayBuilder nodes = JSON.createArrayBuilder();
        page.nodes().forEach(n -> nodes.add(JSON.createObjectBuilder().add("node", n.node()).add("connections", n.count())));
        JsonArrayBuilder missing = JSON.createArrayBuilder();
        page.missing().forEach(missing::add);
        JsonObjectBuilder body = JSON.createObjectBuilder().add("connections", connections)
                .add("total", page.total()).add("offset", page.offset()).add("limit", page.limit())
                .add("node", directory.node()).add("nodes", nodes).add("missing", missing)
                .add("time", System.currentTimeMillis());
        response.setStatus(200);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(body.build().toString());
    }

    @Override
    protected void doDelete(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String by = operator(request, response);
        if (by == null) {
            return;
        }
        String id = id(request);
        if (id == null || id.isEmpty()) {
            plain(response, 405, "DELETE admin/connections/ID");
            return;
        }
        if (directory.close(id, by)) {
            response.setStatus(204);
            response.setHeader("Cache-Control", "no-store");
        } else {
            plain(response, 404, "no open connection " + id);
        }
    }

    /** The {@code ID} of {@code admin/connections/ID}, decoded; null for the listing itself. */
    private static String id(HttpServletRequest request) {
        String rest = request.getPathInfo();
        if (rest == null || rest.equals("/") || rest.isEmpty()) {
            return null;
        }
        String id = rest.startsWith("/") ? rest.substring(1) : rest;
        return URLDecoder.decode(id, StandardCharsets.UTF_8);
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

    /** Written, not sendError: a container's error page would drop the security headers. */
    private static void plain(HttpServletResponse response, int status, String text) throws IOException {
        response.setStatus(status);
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write(status + " " + text + "\n");
    }
}
