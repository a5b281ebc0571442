package dev.switchboard.transport.deflate;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chromium offers permessage-deflate on every WebSocket: it gets it on echo, and the server's inflate cap holds for it. */
class PerMessageDeflateBrowserTest {

    private static RunningServer server;
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        browser = Browser.start();
        browser.driver().manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        browser.driver().get(server.http("echo.html").toString()); // a page of the server's own origin
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, browser);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> run(String script) {
        return (Map<String, Object>) ((JavascriptExecutor) browser.driver()).executeAsyncScript(script,
                server.ws("echo").toString());
    }

    @Test
    void chromiumNegotiatesItAndEchoRoundTrips() throws Exception {
        double before = server.metric("switchboard_compression_sent_bytes_total{stage=\"compressed\"}");
        Map<String, Object> result = run("""
                const done = arguments[arguments.length - 1];
                const ws = new WebSocket(arguments[0]);
                const text = 'chromium compresses this, '.repeat(40);
                ws.onopen = () => ws.send(text);
                ws.onmessage = (e) => { done({extensions: ws.extensions, same: e.data === text}); ws.close(); };
                ws.onerror = () => done({error: true});
                """);
        assertEquals("permessage-deflate", result.get("extensions"));
        assertEquals(Boolean.TRUE, result.get("same"));
        assertTrue(server.metric("switchboard_compression_sent_bytes_total{stage=\"compressed\"}") > before,
                "the echo went back compressed");
    }

    @Test
    void aMessageThatInflatesPastTheLimitClosesWith1009() {
        Map<String, Object> result = run("""
                const done = arguments[arguments.length - 1];
                const ws = new WebSocket(arguments[0]);
                ws.onopen = () => ws.send('a'.repeat(16 * 1024 * 1024));
                ws.onclose = (e) => done({code: e.code});
                """);
        assertEquals(1009L, ((Number) result.get("code")).longValue());
    }
}
