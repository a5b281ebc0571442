package dev.switchboard.security;

import dev.switchboard.testing.RawHttp;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The two ways a foreign website reached the remote console with security off, over real
 * sockets: an origin that merely starts with {@code 127.}, and DNS rebinding (the attacker's name
 * in both {@code Host} and {@code Origin}). Both are 403; the server's own names still pass, and
 * plain HTTP for a foreign name is 421.
 */
class OriginHardeningTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static int consoleHandshake(String host, String origin) throws Exception {
        return RawHttp.exchange("127.0.0.1", server.port(),
                RawHttp.upgrade("console", host, "Origin: " + origin + "\r\n")).status();
    }

    @Test
    void originsThatOnlyStartLikeLoopbackAreForeign() throws Exception {
        String host = "127.0.0.1:" + server.port();
        for (String origin : new String[] {"http://127.evil.com", "http://127.0.0.1.evil.com",
                "http://localhost.evil.com", "http://evil.localhost"}) {
            assertEquals(403, consoleHandshake(host, origin), origin);
        }
    }

    @Test
    void aRebindingNameInHostAndOriginIsForeign() throws Exception {
        assertEquals(403, consoleHandshake("rebind.evil.com:" + server.port(), "http://rebind.evil.com:" + server.port()));
    }

    @Test
    void thePagesOwnOriginOnThisServersNamesStillPasses() throws Exception {
        assertEquals(101, consoleHandshake("127.0.0.1:" + server.port(), "http://127.0.0.1:" + server.port()));
        assertEquals(101, consoleHandshake("localhost:" + server.port(), "http://localhost:" + server.port()));
        assertEquals(101, consoleHandshake("127.0.0.1:" + server.port(), "http://127.5.6.7:3000"), "loopback by address");
    }

    @Test
    void httpRequestsForAForeignHostNameAre421WithTheSecurityHeaders() throws Exception {
        for (String path : new String[] {"", "health", "stomp-stats", "chat.html"}) {
            RawHttp.Answer answer = RawHttp.exchange("127.0.0.1", server.port(), "GET /" + path
                    + " HTTP/1.1\r\nHost: rebind.evil.com:" + server.port() + "\r\nConnection: close\r\n\r\n");
            assertEquals(421, answer.status(), path);
            assertEquals("nosniff", answer.header("X-Content-Type-Options"), path);
        }
        assertEquals(200, RawHttp.exchange("127.0.0.1", server.port(), "GET /health HTTP/1.1\r\nHost: localhost:"
                + server.port() + "\r\nConnection: close\r\n\r\n").status());
        assertEquals(200, RawHttp.exchange("127.0.0.1", server.port(), "GET /health HTTP/1.1\r\nHost: [::1]:"
                + server.port() + "\r\nConnection: close\r\n\r\n").status());
    }
}
