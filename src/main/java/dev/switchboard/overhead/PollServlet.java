package dev.switchboard.overhead;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code GET overhead/poll[?client=ID]}: the latest quote, the same JSON the WebSocket pushes —
 * the book's polling servlet, one request per second per client — and the bytes each poll cost.
 *
 * <p>What is counted, per poll:
 * <ul>
 *   <li>request head: rebuilt from what the container parsed — request line, every header field as
 *       {@code name: value CRLF}, the closing CRLF. Equal to the bytes received unless the client
 *       padded its header lines with extra spaces;</li>
 *   <li>response head: the status line plus every header field this answer carries when it is
 *       committed — ours, the security filter's, and Content-Type, Content-Length and Date, which we
 *       set ourselves so that the container has nothing left to add. The standalone server (Grizzly)
 *       then sends exactly these bytes, as a raw-socket test checks; an application server may
 *       still add its own (Payara: {@code Server}, {@code X-Powered-By}), which we cannot see;</li>
 *   <li>payload: the body.</li>
 * </ul>
 * TCP/IP headers and TLS records are below what a servlet can see and count for neither transport.
 */
public final class PollServlet extends HttpServlet {

    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String CONTENT_TYPE = "application/json";

    private final TickerFeed feed;

    public PollServlet(TickerFeed feed) {
        this.feed = feed;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        byte[] body = feed.latest().text().getBytes(StandardCharsets.UTF_8);
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(CONTENT_TYPE);
        response.setContentLength(body.length);
        response.setHeader("Cache-Control", "no-store");
        response.setDateHeader("Date", System.currentTimeMillis());
        feed.polling().poll(requestHeadBytes(request), responseHeadBytes(response, body.length), body.length);
        feed.pollers().polled(clientId(request));
        response.getOutputStream().write(body);
    }

    static long requestHeadBytes(HttpServletRequest request) {
        String target = request.getRequestURI() + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            for (String value : Collections.list(request.getHeaders(name))) {
                headers.add(new AbstractMap.SimpleEntry<>(name, value));
            }
        }
        return HttpHeadSize.request(request.getMethod(), target, request.getProtocol(), headers);
    }

    /** Containers keep Content-Type and Content-Length apart from the other headers; both are added here once. */
    static long responseHeadBytes(HttpServletResponse response, int contentLength) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String name : response.getHeaderNames()) {
            if (name.equalsIgnoreCase("Content-Type") || name.equalsIgnoreCase("Content-Length")) {
                continue;
            }
            for (String value : response.getHeaders(name)) {
                headers.add(new AbstractMap.SimpleEntry<>(name, value));
            }
        }
        headers.add(new AbstractMap.SimpleEntry<>("Content-Type", response.getContentType()));
        headers.add(new AbstractMap.SimpleEntry<>("Content-Length", Integer.toString(contentLength)));
        return HttpHeadSize.response("HTTP/1.1", HttpServletResponse.SC_OK, "OK", headers);
    }

    /** The page names each simulated poller; a poll without a usable name counts as its address and port. */
    private static String clientId(HttpServletRequest request) {
        String client = request.getParameter("client");
        return client != null && CLIENT_ID.matcher(client).matches() ? client
                : request.getRemoteAddr() + ":" + request.getRemotePort();
    }
}
