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
 * WildFly's Undertow) the address is unknown and a refusal is whatever the container makes of the
 * exception; Tyrus's classes are only touched once they are known to be there.
 */
public final class TyrusHandshake {

    /** Whether Tyrus's classes can be loaded beside ours (a WAR in a container without Tyrus: not). */
    private static final boolean TYRUS = present("org.glassfish.tyrus.core.RequestContext")
            && present("org.glassfish.tyrus.core.HandshakeException") && present("org.glassfish.tyrus.spi.UpgradeResponse");

    private TyrusHandshake() {
    }

    private static boolean present(String name) {
        try {
            Class.forName(name, false, TyrusHandshake.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The client's address as the server saw it (a proxy's, behind one), or null when the container does not say. */
    public static String remoteAddress(HandshakeRequest request) {
        return TYRUS ? Tyrus.remoteAddress(request) : null;
    }

    /**
     * Makes the handshake's answer a plain, empty HTTP {@code status} with these headers, and returns
     * the exception to throw from {@code modifyHandshake} (Tyrus turns it into that status).
     */
    public static RuntimeException refusal(int status, String reason, String reasonPhrase, Map<String, String> headers,
                                           HandshakeResponse response) {
        if (!TYRUS) {
            return new IllegalStateException(status + " " + reasonPhrase + ": " + reason);
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
