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
 * With security on, operational HTTP resources ({@code metrics}, {@code stomp-stats}) need the
 * {@code operator} role: 401 with a Basic challenge without credentials (a scraper can use Basic),
 * 403 for other users. With security off they are open, like the rest of the demo run.
 */
public final class OperatorOnlyFilter implements Filter {

    /** The request attribute naming the operator let through (their {@link Identity#name()}), for logs of what they did. */
    public static final String OPERATOR = "switchboard.operator";

    private final SecurityPolicy security;

    public OperatorOnlyFilter(SecurityPolicy security) {
        this.security = security;
    }

    /**
     * A scraper gets the Basic challenge it answers; a page's own fetch (it says so with
     * {@code X-Requested-With}) gets a scheme no browser prompts for, so no password dialog ever
     * pops up over a page — it sends its user to login.html instead (RFC 7235 §4.1 still holds:
     * every 401 names a scheme).
     */
    static String challenge(HttpServletRequest request) {
        return request.getHeader("X-Requested-With") != null ? "Login realm=\"switchboard\""
                : "Basic realm=\"switchboard\", charset=\"UTF-8\"";
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!security.isOn()) {
            chain.doFilter(req, res);
            return;
        }
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        SecurityPolicy.Credentials credentials = security.check(request.getHeader("Authorization"), request.getHeader("Cookie"),
                request.getRemoteAddr());
        Identity identity = credentials.outcome() == SecurityPolicy.Credentials.Outcome.VALID ? credentials.identity() : null;
        if (identity == null && credentials.outcome() == SecurityPolicy.Credentials.Outcome.NONE && request.getUserPrincipal() != null
                && request.isUserInRole(OperatorPolicy.OPERATOR_ROLE)) {
            request.setAttribute(OPERATOR, request.getUserPrincipal().getName());
            chain.doFilter(req, res); // the application server's own login
            return;
        }
        if (credentials.outcome() == SecurityPolicy.Credentials.Outcome.THROTTLED) {
            PlainAnswer.send(response, 429, "too many failed logins", credentials.retryAfterSeconds());
        } else if (credentials.outcome() == SecurityPolicy.Credentials.Outcome.BUSY) {
            PlainAnswer.send(response, 503, "password checks busy", credentials.retryAfterSeconds());
        } else if (identity == null) {
            response.setHeader("WWW-Authenticate", challenge(request));
            PlainAnswer.send(response, 401, "credentials required", 0);
        } else if (!identity.hasRole(OperatorPolicy.OPERATOR_ROLE)) {
            PlainAnswer.send(response, 403, "operators only", 0);
        } else {
            request.setAttribute(OPERATOR, identity.name());
            chain.doFilter(req, res);
        }
    }
}
