package dev.switchboard.security;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Headers on every HTTP answer: a Content-Security-Policy that allows scripts only from this
 * site (no inline script, no eval — except on the remote console, whose target pages evaluate by
 * design), no framing, no MIME sniffing, no referrer.
 */
public final class SecurityHeadersFilter implements Filter {

    static final String POLICY = "default-src 'self'; script-src 'self'%s; style-src 'self'; img-src 'self' blob: data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        boolean console = request.getRequestURI().endsWith("/console.html");
        headers(console).forEach(response::setHeader);
        chain.doFilter(req, res);
    }

    /** The headers and their values; also written by the standalone listener's own refusals (400, 503). */
    public static Map<String, String> headers(boolean evalAllowed) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Security-Policy", String.format(POLICY, evalAllowed ? " 'unsafe-eval'" : ""));
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("X-Frame-Options", "DENY");
        headers.put("Referrer-Policy", "no-referrer");
        return headers;
    }
}
