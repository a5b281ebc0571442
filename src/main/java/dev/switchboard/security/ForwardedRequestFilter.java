package dev.switchboard.security;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;

/**
 * Runs first on every HTTP request: behind a {@link TrustedProxies trusted proxy} the request
 * answers with the client's address ({@code getRemoteAddr}, so login throttling and logs count
 * clients, not the proxy), its scheme ({@code isSecure}, so the login cookie is {@code Secure}
 * behind a TLS-terminating proxy) and the {@code Host} it asked for ({@code Forwarded: host=}),
 * as that proxy said. From anyone else the headers change nothing. What was decided is left as
 * the request attribute {@link #CLIENT} for the loopback rule ({@link OperatorPolicy}).
 */
public final class ForwardedRequestFilter implements Filter {

    /** The request's {@link TrustedProxies.Client}. */
    public static final String CLIENT = "switchboard.client";

    private final TrustedProxies proxies;

    public ForwardedRequestFilter(TrustedProxies proxies) {
        this.proxies = proxies;
    }

    /** The client of a request this filter has seen; else the one its own headers give, believing no proxy. */
    public static TrustedProxies.Client client(HttpServletRequest request) {
        return request.getAttribute(CLIENT) instanceof TrustedProxies.Client client ? client
                : TrustedProxies.NONE.resolve(request.getRemoteAddr(), name -> joined(request, name));
    }

    /** Every line of a header as one list (HAProxy adds its own X-Forwarded-For line after the client's). */
    private static String joined(HttpServletRequest request, String name) {
        Enumeration<String> values = request.getHeaders(name);
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        return String.join(", ", Collections.list(values));
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        TrustedProxies.Client client = proxies.resolve(request.getRemoteAddr(), name -> joined(request, name));
        request.setAttribute(CLIENT, client);
        boolean changed = !client.address().equals(request.getRemoteAddr()) || client.proto() != null || client.host() != null;
        chain.doFilter(changed ? new Forwarded(request, client) : request, res);
    }

    private static final class Forwarded extends HttpServletRequestWrapper {
        private final TrustedProxies.Client client;

        Forwarded(HttpServletRequest request, TrustedProxies.Client client) {
            super(request);
            this.client = client;
        }

        @Override
        public String getRemoteAddr() {
            return client.address();
        }

        @Override
        public String getRemoteHost() {
            return client.address(); // never a reverse lookup of an address a proxy gave
        }

        @Override
        public boolean isSecure() {
            return client.proto() != null ? client.secure() : super.isSecure();
        }

        @Override
        public String getScheme() {
            return client.proto() != null ? (client.secure() ? "https" : "http") : super.getScheme();
        }

        @Override
        public String getHeader(String name) {
            return client.host() != null && "Host".equalsIgnoreCase(name) ? client.host() : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return client.host() != null && "Host".equalsIgnoreCase(name)
                    ? Collections.enumeration(java.util.List.of(client.host())) : super.getHeaders(name);
        }
    }
}
