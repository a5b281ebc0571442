package dev.switchboard.transport;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;

/**
 * What {@link TyrusHandshake} does the Tyrus way, done through the Servlet API where the container
 * is not Tyrus (WildFly's Undertow): a servlet filter in front of the container's WebSocket
 * upgrade filter. Jakarta WebSocket runs {@code modifyHandshake} inside that filter, on the
 * request's thread, so this filter
 * <ul>
 *   <li>lends the configurator the client's address ({@code getRemoteAddr()}) for the length of
 *       the request (the WebSocket API has no way to ask);</li>
 *   <li>catches the {@link Refused} a configurator throws, and answers with its HTTP status and
 *       headers in place of the container's 500: the response is not committed until the
 *       handshake returns, so it is reset and answered like any refused request.</li>
 * </ul>
 */
public final class PortableHandshake implements Filter {

    private static final ThreadLocal<String> CLIENT_ADDRESS = new ThreadLocal<>();

    /** A handshake refused with an HTTP status; thrown from {@code modifyHandshake}, answered by this filter. */
    public static final class Refused extends RuntimeException {
        private final int status;
        private final Map<String, String> headers;

        Refused(int status, String reason, Map<String, String> headers) {
            super(status + " " + reason, null, false, false);
            this.status = status;
            this.headers = Map.copyOf(headers);
        }
    }

    /** The address of the client whose upgrade this thread is handling, or null outside this filter. */
    static String clientAddress() {
        return CLIENT_ADDRESS.get();
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        if (request.getHeader("Upgrade") == null) {
            chain.doFilter(req, res);
            return;
        }
        CLIENT_ADDRESS.set(request.getRemoteAddr());
        try {
            chain.doFilter(req, res);
        } catch (IOException | ServletException | RuntimeException e) {
            Refused refused = refusedIn(e);
            HttpServletResponse response = (HttpServletResponse) res;
            if (refused == null || response.isCommitted()) {
                throw e;
            }
            response.reset(); // the container's 101 and its upgrade headers
            response.setStatus(refused.status);
            refused.headers.forEach(response::setHeader);
            response.setHeader("Connection", "close");
            response.setContentLength(0);
            response.flushBuffer();
        } finally {
            CLIENT_ADDRESS.remove();
        }
    }

    /** The refusal, wherever the container wrapped it. */
    private static Refused refusedIn(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof Refused refused) {
                return refused;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
