package dev.switchboard.security;

import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * A refusal written as a plain answer, not with {@code sendError}: a container's error page
 * replaces the response — and with it the security headers every answer must carry.
 */
final class PlainAnswer {

    private PlainAnswer() {
    }

    /** {@code status} with a one-line text body, and {@code Retry-After} when {@code retryAfterSeconds} > 0. */
    static void send(HttpServletResponse response, int status, String text, long retryAfterSeconds) throws IOException {
        response.setStatus(status);
        if (retryAfterSeconds > 0) {
            response.setHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write(status + " " + text + "\n");
    }
}
