package dev.switchboard.security;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code GET access[?path=ENDPOINT/…]}: who this browser is logged in as, and what a WebSocket
 * handshake to {@code path} would get now with the same cookie — so that a page can tell "refused"
 * (log in, or not allowed: no point retrying) from "dropped" (retry with backoff), which a browser's
 * WebSocket never says (a refused handshake is a 1006 close like any other). It runs the same
 * {@link HandshakeGuard} as the handshake. Always 200 with JSON: a page's own fetch never meets a
 * 401 and so never the browser's password dialog.
 * <p>
 * {@code {"security":true,"user":"bob"|null,"roles":[…],"operator":false,"xmppDomain":"localhost","path":"vnc/desk",
 * "access":"allowed"|"login"|"forbidden"|"unavailable"|"unknown","reason":"…"}}.
 */
public final class AccessServlet extends HttpServlet {

    private static final JsonProvider JSON = JsonProvider.provider();

    private final SecurityPolicy security;
    private final HandshakeGuard guard;
    /** Each endpoint's first path segment and what its handshake asks. */
    private final Map<String, HandshakeGuard.Access> endpoints;
    private final String xmppDomain;

    /** @param xmppDomain {@code xmpp.domain}, for the XMPP page's addresses */
    public AccessServlet(SecurityPolicy security, HandshakeGuard guard, Map<String, HandshakeGuard.Access> endpoints,
                         String xmppDomain) {
        this.security = security;
        this.guard = guard;
        this.endpoints = endpoints;
        this.xmppDomain = xmppDomain;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Identity user = user(request);
        JsonArrayBuilder roles = JSON.createArrayBuilder();
        if (user != null) {
            new TreeSet<>(user.roles()).forEach(roles::add);
        }
        JsonObjectBuilder answer = JSON.createObjectBuilder().add("security", security.isOn());
        if (user != null) {
            answer.add("user", user.name());
        } else {
            answer.addNull("user");
        }
        answer.add("roles", roles).add("operator", user != null && user.hasRole(OperatorPolicy.OPERATOR_ROLE))
                .add("xmppDomain", xmppDomain);
        String path = request.getParameter("path");
        if (path != null) {
            answer.add("path", path);
            probe(request, path, answer);
        }
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(answer.build().toString());
    }

    /** The logged-in user (session cookie or Basic), the container's in a server, or null. */
    private Identity user(HttpServletRequest request) {
        if (!security.isOn()) {
            return null;
        }
        SecurityPolicy.Credentials credentials = security.check(request.getHeader("Authorization"),
                request.getHeader("Cookie"), request.getRemoteAddr());
        if (credentials.outcome() == SecurityPolicy.Credentials.Outcome.VALID) {
            return credentials.identity();
        }
        if (credentials.outcome() == SecurityPolicy.Credentials.Outcome.NONE && request.getUserPrincipal() != null) {
            return containerUser(request);
        }
        return null;
    }

    /** In an application server, the user its own security authenticated, with the roles Switchboard knows. */
    private static Identity containerUser(HttpServletRequest request) {
        if (request.getUserPrincipal() == null) {
            return null;
        }
        java.util.Set<String> roles = new java.util.HashSet<>();
        for (String role : GuardedConfigurator.CONTAINER_ROLES) {
            if (request.isUserInRole(role)) {
                roles.add(role);
            }
        }
        return new Identity(request.getUserPrincipal().getName(), roles);
    }

    private void probe(HttpServletRequest request, String path, JsonObjectBuilder answer) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        int slash = trimmed.indexOf('/');
        HandshakeGuard.Access access = endpoints.get(slash < 0 ? trimmed : trimmed.substring(0, slash));
        if (access == null) {
            answer.add("access", "unknown").add("reason", "no endpoint at " + path);
            return;
        }
        String resource = trimmed.substring(trimmed.lastIndexOf('/') + 1);
        HandshakeGuard.Decision decision = guard.check(new HandshakeGuard.Request(request.getHeader("Origin"),
                request.getHeader("Host"), request.getHeader("Authorization"), request.getHeader("Cookie"),
                containerUser(request), resource, request.getRemoteAddr()),
                access);
        if (!decision.refused()) {
            answer.add("access", "allowed");
            return;
        }
        String verdict = switch (decision.refusal().status()) {
            case 401 -> "login";
            case 403 -> "forbidden";
            default -> "unavailable"; // 429, 503: a retry later can succeed
        };
        answer.add("access", verdict).add("reason", decision.refusal().reason());
        if (decision.refusal().retryAfterSeconds() > 0) {
            answer.add("retryAfterSeconds", decision.refusal().retryAfterSeconds());
        }
    }
}
