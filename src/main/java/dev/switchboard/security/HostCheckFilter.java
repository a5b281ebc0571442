package dev.switchboard.security;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Refuses HTTP requests whose {@code Host} is not one of this server's names with 421 Misdirected
 * Request (RFC 9110 §15.5.20). Under DNS rebinding a foreign page reaches us by its own name; it
 * must get neither our pages nor our resources (health, metrics, stomp-stats with security off).
 * WebSockets are held to the same names by the {@code same-host} origin rule.
 */
public final class HostCheckFilter implements Filter {

    private final ServerNames names;

    public HostCheckFilter(ServerNames names) {
        this.names = names;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        String host = ((HttpServletRequest) req).getHeader("Host");
        if (host == null || host.isBlank() || names.contains(ServerNames.hostName(host))) {
            chain.doFilter(req, res); // no Host at all: not a browser (HTTP/1.0), nothing to rebind
            return;
        }
        PlainAnswer.send((HttpServletResponse) res, 421, "this server does not answer to that host name"
                + " (add it to server-names)", 0);
    }
}
