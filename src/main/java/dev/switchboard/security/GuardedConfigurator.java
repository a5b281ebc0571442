package dev.switchboard.security;

import dev.switchboard.ops.EndpointMetrics;
import dev.switchboard.transport.TyrusHandshake;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The configurator every Switchboard endpoint is deployed with: it runs the {@link HandshakeGuard}
 * and makes endpoint instances with their dependencies (one per connection).
 */
public final class GuardedConfigurator extends ServerEndpointConfig.Configurator {

    private static final Logger LOG = Logger.getLogger(GuardedConfigurator.class.getName());

    /** Session user properties the handshake leaves for the endpoint. */
    public static final String REMOTE_ADDRESS = "switchboard.remoteAddress";
    public static final String USER_AGENT = "switchboard.userAgent";
    public static final String FORWARDED = "switchboard.forwarded";
    public static final String IDENTITY = "switchboard.identity";
    /** The handshake's {@code Origin}, when it had one (for {@code admin/connections}). */
    public static final String ORIGIN = "switchboard.origin";
    /** The application server's roles Switchboard asks about (the handshake and the access probe alike). */
    static final java.util.List<String> CONTAINER_ROLES = java.util.List.of(OperatorPolicy.OPERATOR_ROLE, "user");

    private final HandshakeGuard guard;
    private final HandshakeGuard.Access access;
    private final EndpointMetrics metrics;
    private final Supplier<?> endpointFactory;
    private final HandshakeObserver observer;

    /**
     * Something an endpoint wants to note about a handshake the guard let through (the overhead
     * demo: its size on the wire), left in the connection's properties for the endpoint to read.
     */
    @FunctionalInterface
    public interface HandshakeObserver {
        HandshakeObserver NONE = (request, response, connectionProperties) -> { };

        void observe(HandshakeRequest request, HandshakeResponse response, Map<String, Object> connectionProperties);
    }

    public GuardedConfigurator(HandshakeGuard guard, HandshakeGuard.Access access, EndpointMetrics metrics,
                               Supplier<?> endpointFactory) {
        this(guard, access, metrics, endpointFactory, HandshakeObserver.NONE);
    }

    public GuardedConfigurator(HandshakeGuard guard, HandshakeGuard.Access access, EndpointMetrics metrics,
                               Supplier<?> endpointFactory, HandshakeObserver observer) {
        this.guard = guard;
        this.access = access;
        this.metrics = metrics;
        this.endpointFactory = endpointFactory;
        this.observer = observer;
    }

    @Override
    public boolean checkOrigin(String originHeaderValue) {
        return true; // decided in modifyHandshake, where the Host header is known too
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        Map<String, List<String>> headers = request.getHeaders();
        String peer = TyrusHandshake.remoteAddress(request);
        // behind a trusted proxy: the client it names, the Host the client asked for (same-host origins)
        TrustedProxies.Client client = guard.trustedProxies().resolve(peer, name -> joined(headers, name));
        String address = peer == null ? null : client.address();
        String host = client.host() != null ? client.host() : header(headers, "Host");
        HandshakeGuard.Decision decision = guard.check(new HandshakeGuard.Request(header(headers, "Origin"),
                host, header(headers, "Authorization"), header(headers, "Cookie"),
                containerUser(request), lastSegment(request), address), access);
        if (decision.refused()) {
            HandshakeRefusal refusal = decision.refusal();
            metrics.handshakeRefused(refusal.status());
            LOG.log(Level.FINE, "handshake to {0} refused: {1}", new Object[] {metrics.endpoint(), refusal.reason()});
            throw refuse(refusal, response);
        }
        if (decision.identity() != null) {
            config.getUserProperties().put(IDENTITY, decision.identity());
        }
        // per-connection properties (Tyrus copies them into the session's user properties)
        if (address != null) {
            config.getUserProperties().put(REMOTE_ADDRESS, address);
        }
        // the container splits a header at its commas ("(KHTML, like Gecko)"): the whole User-Agent is all of them
        String agent = joined(headers, "User-Agent");
        config.getUserProperties().put(USER_AGENT, agent == null ? "" : agent);
        String origin = header(headers, "Origin");
        if (origin != null) {
            config.getUserProperties().put(ORIGIN, origin);
        } else {
            config.getUserProperties().remove(ORIGIN);
        }
        // not this machine's loopback: forwarded from off it, or claimed to be with nothing believed
        config.getUserProperties().put(FORWARDED, client.forwarded());
        observer.observe(request, response, config.getUserProperties());
    }

    /** In an application server, a user its own security authenticated (its realms, Jakarta Security). */
    private static Identity containerUser(HandshakeRequest request) {
        java.security.Principal principal = request.getUserPrincipal();
        if (principal == null) {
            return null;
        }
        java.util.Set<String> roles = new java.util.HashSet<>();
        for (String role : CONTAINER_ROLES) {
            if (request.isUserInRole(role)) {
                roles.add(role);
            }
        }
        return new Identity(principal.getName(), roles);
    }

    /** The resource a rule is checked against: the path's last segment (a VNC target, a room). */
    private static String lastSegment(HandshakeRequest request) {
        String path = request.getRequestURI() == null ? "" : request.getRequestURI().getPath();
        if (path == null) {
            return "";
        }
        int slash = path.lastIndexOf('/');
        return java.net.URLDecoder.decode(path.substring(slash + 1), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        return (T) endpointFactory.get();
    }

    /** All of a header's values, every line and every comma-separated part, as one list; null if absent. */
    static String joined(Map<String, List<String>> headers, String name) {
        List<String> values = headers.entrySet().stream().filter(e -> name.equalsIgnoreCase(e.getKey()))
                .flatMap(e -> e.getValue().stream()).toList();
        return values.isEmpty() ? null : String.join(", ", values);
    }

    static String header(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    /*
     * Jakarta WebSocket gives a configurator no way to answer a handshake with an HTTP status;
     * the transport adapter does it the Tyrus way.
     */
    private static RuntimeException refuse(HandshakeRefusal refusal, HandshakeResponse response) {
        Map<String, String> headers = new java.util.LinkedHashMap<>(SecurityHeadersFilter.headers(false));
        if (refusal.status() == 401) {
            headers.put("WWW-Authenticate", "Basic realm=\"switchboard\", charset=\"UTF-8\"");
        }
        if (refusal.retryAfterSeconds() > 0) {
            headers.put("Retry-After", Long.toString(refusal.retryAfterSeconds()));
        }
        String phrase = switch (refusal.status()) {
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            default -> "Refused";
        };
        return TyrusHandshake.refusal(refusal.status(), refusal.reason(), phrase, headers, response);
    }
}
