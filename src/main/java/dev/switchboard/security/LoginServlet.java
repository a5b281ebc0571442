package dev.switchboard.security;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST login} (user, password, next) trades a password for a session cookie — HttpOnly
 * (scripts cannot read it), SameSite=Strict (other sites' pages never send it), Secure over TLS —
 * and goes on to {@code next}; {@code POST logout} ends the session. Browsers use this because
 * they cannot put credentials on a WebSocket handshake any other way.
 */
public final class LoginServlet extends HttpServlet {

    private final SecurityPolicy security;

    public LoginServlet(SecurityPolicy security) {
        this.security = security;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // relative, and set as a header: sendRedirect would make it absolute from the client's Host
        redirect(response, "login.html");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String base = request.getContextPath() + "/";
        if (request.getServletPath().endsWith("logout")) {
            security.sessions().close(LoginSessions.tokenFromCookieHeader(request.getHeader("Cookie")));
            response.addHeader("Set-Cookie", cookie(request, "", 0));
            redirect(response, base + "login.html?out");
            return;
        }
        String next = safeNext(request.getParameter("next"));
        SecurityPolicy.Credentials login = security.login(request.getParameter("user"), request.getParameter("password"),
                request.getRemoteAddr());
        switch (login.outcome()) {
            case VALID -> {
            }
            case THROTTLED -> {
                PlainAnswer.send(response, 429, "too many failed logins: try again in " + login.retryAfterSeconds()
                        + " s", login.retryAfterSeconds());
                return;
            }
            case BUSY -> {
                PlainAnswer.send(response, 503, "busy: try again in a moment", login.retryAfterSeconds());
                return;
            }
            default -> {
                redirect(response, base + "login.html?failed&next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
                return;
            }
        }
        String token = security.sessions().open(login.identity());
        response.addHeader("Set-Cookie", cookie(request, token, security.sessions().ttl().toSeconds()));
        redirect(response, base + next);
    }

    private static void redirect(HttpServletResponse response, String location) {
        response.setStatus(303);
        response.setHeader("Location", location);
        response.setHeader("Cache-Control", "no-store");
    }

    private static String cookie(HttpServletRequest request, String value, long maxAgeSeconds) {
        String path = request.getContextPath().isEmpty() ? "/" : request.getContextPath();
        return LoginSessions.COOKIE + "=" + value + "; Path=" + path + "; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Strict" + (request.isSecure() ? "; Secure" : "");
    }

    /** Only a page of this application, by relative path: never another site (no open redirect). */
    static String safeNext(String next) {
        if (next == null || next.isBlank()) {
            return "";
        }
        String trimmed = next.trim();
        if (!trimmed.matches("[A-Za-z0-9._\\-/?=&%]*") || trimmed.startsWith("/") || trimmed.contains("//")
                || trimmed.contains("..") || trimmed.contains("\\")) {
            return "";
        }
        return trimmed;
    }
}
