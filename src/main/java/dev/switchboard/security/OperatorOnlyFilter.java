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

    private final SecurityPolicy security;

    public OperatorOnlyFilter(SecurityPolicy security) {
        this.security = security;
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
            chain.doFilter(req, res); // the application server's own login
            return;
        }
        if (credentials.outcome() == SecurityPolicy.Credentials.Outcome.THROTTLED) {
            PlainAnswer.send(response, 429, "too many failed logins", credentials.retryAfterSeconds());
        } else if (credentials.outcome() == SecurityPolicy.Credentials.Outcome.BUSY) {
            PlainAnswer.send(response, 503, "password checks busy", credentials.retryAfterSeconds());
        } else if (identity == null) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"switchboard\", charset=\"UTF-8\"");
            PlainAnswer.send(response, 401, "credentials required", 0);
        } else if (!identity.hasRole(OperatorPolicy.OPERATOR_ROLE)) {
            PlainAnswer.send(response, 403, "operators only", 0);
        } else {
            chain.doFilter(req, res);
        }
    }
}
