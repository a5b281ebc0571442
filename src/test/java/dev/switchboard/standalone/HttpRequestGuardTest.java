package dev.switchboard.standalone;

import dev.switchboard.testing.RawHttp;

import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The standalone listener's HTTP parsing, over raw sockets: whatever two parsers could read two ways
 * (RFC 9112 §2.2, §3.2, §5.1, §5.2, §6.1, §6.3) gets 400 with the security headers and a close; a
 * WebSocket handshake must be a GET (RFC 6455 §4.1); good requests, pipelined or large, still work.
 */
class HttpRequestGuardTest {

    private static final String UPGRADE = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void contentLengthWithChunkedIsRefusedSoNoRequestIsSmuggled() throws Exception {
        assertRefused("POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /no-such-page.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    }

    @Test
    void whitespaceBeforeTheColonIsRefused() throws Exception {
        assertRefused("POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n");
    }

    @Test
    void obsoleteLineFoldingIsRefused() throws Exception {
        assertRefused("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: one\r\n two\r\n\r\n");
    }

    @Test
    void bareLfLineEndingsAreRefused() throws Exception {
        assertRefused("GET /health HTTP/1.1\nHost: 127.0.0.1\n\n");
        assertRefused("GET /health HTTP/1.1\r\nHost: 127.0.0.1\nX-A: b\r\n\r\n");
    }

    @Test
    void nulInAHeaderValueIsRefused() throws Exception {
        assertRefused("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Nul: a\0b\r\n\r\n");
    }

    @Test
    void twoHostHeadersAreRefused() throws Exception {
        assertRefused("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n");
    }

    @Test
    void http11WithoutHostIsRefused() throws Exception {
        assertRefused("GET /health HTTP/1.1\r\nAccept: */*\r\n\r\n");
    }

    @Test
    void repeatedOrMalformedContentLengthIsRefused() throws Exception {
        assertRefused("POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
        assertRefused("POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: +1\r\n\r\na");
    }

    @Test
    void aWebSocketHandshakeThatIsNotAGetIsRefused() throws Exception {
        assertRefused("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n" + UPGRADE + "\r\n");
    }

    @Test
    void aWebSocketHandshakeWithABodyIsRefused() throws Exception {
        assertRefused("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n" + UPGRADE + "Content-Length: 2\r\n\r\n\u0081\u0000");
    }

    @Test
    void oversizedHeadsAndTooManyHeadersGet431WithTheSecurityHeaders() throws Exception {
        assertRefused(431, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(64 * 1024) + "\r\n\r\n");
        assertRefused(431, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "X-H: v\r\n".repeat(500) + "\r\n");
    }

    @Test
    void whatGrizzlyCannotParseIsRefusedPlainly() throws Exception {
        assertRefused("\r\nGET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); // Grizzly would say 501
        assertRefused("POST /health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\n\r\n");
    }

    @Test
    void malformedRequestTargetsAreRefused() throws Exception {
        for (String target : List.of("/a\\..\\b", "/%zz", "/%2", "/\u00e9", "/a\tb")) {
            assertRefused("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        }
    }

    @Test
    void pathTraversalAttemptsNeverGet500() throws Exception {
        for (String target : List.of("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/css/..%2f..%2fpom.xml",
                "/%2e%2e%5c%2e%2e%5cpom.xml", "/index.html%00.js", "/%00", "/%c0%ae%c0%ae/%c0%ae%c0%ae/pom.xml",
                "/%ff%fe", "/js/%2e%2e/%2e%2e/%2e%2e/pom.xml", "/WEB-INF/../WEB-INF/web.xml", "//etc/passwd")) {
            RawHttp.Answer answer = RawHttp.exchange(server.port(), "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertTrue(answer.status() == 400 || answer.status() == 404, target + " -> " + answer.status());
            if (target.contains("..") || target.contains("%2e") || target.contains("%00") || target.contains("%c0") || target.contains("%ff")) {
                assertTrue(answer.status() == 400 || target.startsWith("/WEB-INF"), target + " -> " + answer.status());
            }
            assertEquals("nosniff", answer.header("X-Content-Type-Options"), target);
            assertTrue(!answer.body().contains("<project"), target + " served the project file");
        }
    }

    @Test
    void aPlainRequestStillWorks() throws Exception {
        RawHttp.Answer answer = RawHttp.exchange(server.port(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertEquals(200, answer.status());
        assertTrue(answer.body().contains("\"UP\""), answer.body());
    }

    @Test
    void pipelinedRequestsAreAllAnsweredInOrder() throws Exception {
        try (RawHttp http = new RawHttp(server.port())) {
            http.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    + "POST /no-such-page.html HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n"
                    + "POST /no-such-page.html HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /echo.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            List<RawHttp.Answer> answers = RawHttp.readAll(http, 4);
            assertEquals(200, answers.get(0).status());
            assertTrue(answers.get(1).status() >= 400 && answers.get(1).status() < 500, "a 4xx for the POST: " + answers.get(1).status());
            assertTrue(answers.get(2).status() >= 400 && answers.get(2).status() < 500, "a 4xx for the POST: " + answers.get(2).status());
            assertEquals(200, answers.get(3).status());
            assertTrue(answers.get(3).body().contains("<html") || answers.get(3).body().contains("<!DOCTYPE"), "the page");
        }
    }

    @Test
    void aLargeButValidHeadStillWorks() throws Exception {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            headers.append("X-Header-").append(i).append(": ").append("v".repeat(200)).append("\r\n");
        }
        RawHttp.Answer answer = RawHttp.exchange(server.port(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n");
        assertEquals(200, answer.status());
    }

    @Test
    void aWebSocketHandshakeStillWorksAndItsFramesPassUntouched() throws Exception {
        try (RawWebSocket socket = RawWebSocket.connect("127.0.0.1", server.port(), "/echo")) {
            // bytes that would be a malformed HTTP head are just frame payload after the upgrade
            byte[] payload = "GET / HTTP/1.1\nHost: a\nHost: b\n\0\n".getBytes(StandardCharsets.ISO_8859_1);
            socket.sendFrame(RawWebSocket.BINARY, true, payload);
            RawWebSocket.Frame echoed = socket.readFrame();
            assertEquals(RawWebSocket.BINARY, echoed.opcode());
            assertEquals(new String(payload, StandardCharsets.ISO_8859_1), new String(echoed.payload(), StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void refusalsAreCountedInMetrics() throws Exception {
        double before = server.metric("switchboard_listener_refused_total{status=\"400\"}");
        assertRefused("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertEquals(before + 1, server.metric("switchboard_listener_refused_total{status=\"400\"}"));
    }

    private static void assertRefused(String request) throws IOException {
        assertRefused(400, request);
    }

    private static void assertRefused(int status, String request) throws IOException {
        try (RawHttp http = new RawHttp(server.port())) {
            RawHttp.Answer answer;
            try {
                answer = http.send(request).read();
            } catch (IOException e) {
                throw new AssertionError("no answer to " + request.lines().findFirst().orElse(""), e);
            }
            String what = request.lines().findFirst().orElse("") + " …";
            assertEquals(status, answer.status(), what + " " + answer.body());
            assertEquals("close", answer.header("Connection"), what);
            assertTrue(answer.header("Content-Security-Policy").contains("default-src 'self'"), what);
            assertEquals("nosniff", answer.header("X-Content-Type-Options"), what);
            assertEquals("DENY", answer.header("X-Frame-Options"), what);
            assertTrue(http.closedByServer(), what + ": the connection is closed after the refusal");
        }
    }
}
