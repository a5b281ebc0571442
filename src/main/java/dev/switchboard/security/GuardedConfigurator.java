package dev.switchboard.security;

import dev.switchboard.ops.EndpointMetrics;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import org.glassfish.tyrus.core.HandshakeException;
import org.glassfish.tyrus.core.RequestContext;
import org.glassfish.tyrus.spi.UpgradeResponse;

import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    private final HandshakeGuard guard;
    private final EndpointMetrics metrics;
    private final Supplier<?> endpointFactory;

    public GuardedConfigurator(HandshakeGuard guard, EndpointMetrics metrics, Supplier<?> endpointFactory) {
        this.guard = guard;
        this.metrics = metrics;
        this.endpointFactory = endpointFactory;
    }

    @Override
    public boolean checkOrigin(String originHeaderValue) {
        return true; // decided in modifyHandshake, where the Host header is known too
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        Map<String, List<String>> headers = request.getHeaders();
        Optional<HandshakeRefusal> refusal = guard.check(header(headers, "Origin"), header(headers, "Host"));
        if (refusal.isPresent()) {
            metrics.handshakeRefused(refusal.get().status());
            LOG.log(Level.FINE, "handshake to {0} refused: {1}",
                    new Object[] {metrics.endpoint(), refusal.get().reason()});
            throw refuse(refusal.get(), response);
        }
        // per-connection properties (Tyrus copies them into the session's user properties)
        if (request instanceof RequestContext context && context.getRemoteAddr() != null) {
            config.getUserProperties().put(REMOTE_ADDRESS, context.getRemoteAddr());
        }
        String agent = header(headers, "User-Agent");
        config.getUserProperties().put(USER_AGENT, agent == null ? "" : agent);
        boolean forwarded = header(headers, "X-Forwarded-For") != null || header(headers, "Forwarded") != null
                || header(headers, "X-Real-IP") != null;
        config.getUserProperties().put(FORWARDED, forwarded);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        return (T) endpointFactory.get();
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
     * Jakarta WebSocket gives a configurator no way to answer a handshake with an HTTP status.
     * Tyrus — the implementation in Payara, GlassFish and our standalone server — turns a
     * HandshakeException raised here into that status, so we raise it (it is checked, hence the
     * unchecked rethrow).
     */
    private static RuntimeException refuse(HandshakeRefusal refusal, HandshakeResponse response) {
        if (response instanceof UpgradeResponse upgrade) {
            // Tyrus has filled in the 101's headers already; a refusal is a plain, empty HTTP answer.
            upgrade.getHeaders().clear();
            upgrade.getHeaders().put("Content-Length", List.of("0"));
            upgrade.getHeaders().put("Connection", List.of("close"));
            upgrade.setReasonPhrase(refusal.status() == 403 ? "Forbidden"
                    : refusal.status() == 503 ? "Service Unavailable" : "Refused");
        }
        return uncheckedThrow(new HandshakeException(refusal.status(), refusal.reason()));
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException uncheckedThrow(Throwable t) throws E {
        throw (E) t;
    }
}
