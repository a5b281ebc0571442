package dev.switchboard.transport;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import org.glassfish.tyrus.core.HandshakeException;
import org.glassfish.tyrus.core.RequestContext;
import org.glassfish.tyrus.spi.UpgradeResponse;

import java.util.List;
import java.util.Map;

/**
 * What Jakarta WebSocket gives a configurator no way to do, done the Tyrus way (the implementation
 * in Payara, GlassFish and the standalone server): learn the client's address, and answer a
 * handshake with an HTTP status instead of 101. Elsewhere (a container without Tyrus, such as
 * WildFly's Undertow) both go through the Servlet API ({@link PortableHandshake}, a filter in front
 * of the upgrade); Tyrus's classes are only touched once they are known to be there ({@link Container}).
 */
public final class TyrusHandshake {

    private TyrusHandshake() {
    }

    /** The client's address as the server saw it (a proxy's, behind one), or null when the container does not say. */
    public static String remoteAddress(HandshakeRequest request) {
        return Container.tyrus() ? Tyrus.remoteAddress(request) : PortableHandshake.clientAddress();
    }

    /**
     * Makes the handshake's answer a plain, empty HTTP {@code status} with these headers, and returns
     * the exception to throw from {@code modifyHandshake} (Tyrus turns it into that status).
     */
    public static RuntimeException refusal(int status, String reason, String reasonPhrase, Map<String, String> headers,
                                           HandshakeResponse response) {
        if (!Container.tyrus()) {
            return new PortableHandshake.Refused(status, reasonPhrase + ": " + reason, headers);
        }
        return Tyrus.refusal(status, reason, reasonPhrase, headers, response);
    }

    /** The Tyrus classes, loaded only when present. */
    private static final class Tyrus {
        static String remoteAddress(HandshakeRequest request) {
            return request instanceof RequestContext context ? context.getRemoteAddr() : null;
        }

        static RuntimeException refusal(int status, String reason, String reasonPhrase, Map<String, String> headers,
                                        HandshakeResponse response) {
            if (response instanceof UpgradeResponse upgrade) {
                // Tyrus has filled in the 101's headers already; a refusal is a plain, empty HTTP answer.
                upgrade.getHeaders().clear();
                upgrade.getHeaders().put("Content-Length", List.of("0"));
                upgrade.getHeaders().put("Connection", List.of("close"));
                headers.forEach((name, value) -> upgrade.getHeaders().put(name, List.of(value)));
                upgrade.setReasonPhrase(reasonPhrase);
            }
            return uncheckedThrow(new HandshakeException(status, reason));
        }

        @SuppressWarnings("unchecked")
        private static <E extends Throwable> RuntimeException uncheckedThrow(Throwable t) throws E {
            throw (E) t;
        }
    }
}
