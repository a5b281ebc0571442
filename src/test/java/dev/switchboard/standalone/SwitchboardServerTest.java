package dev.switchboard.standalone;

import dev.switchboard.testing.RunningServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The standalone server's HTTP side: pages, health, metrics, binding. */
class SwitchboardServerTest {

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
    void rootServesTheIndexPage() throws Exception {
        HttpResponse<String> index = server.get("");
        assertEquals(200, index.statusCode());
        assertTrue(index.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(index.body().contains("href=\"echo.html\""), "the index links the echo page");
    }

    @Test
    void pagesScriptsAndStylesAreServedWithTheirTypes() throws Exception {
        assertEquals("text/html", type(server.get("echo.html")));
        assertEquals("text/javascript", type(server.get("js/echo.js")));
        assertEquals("text/css", type(server.get("css/switchboard.css")));
    }

    @Test
    void unknownFileIs404() throws Exception {
        assertEquals(404, server.get("no-such-page.html").statusCode());
    }

    @Test
    void webJarsAreServedFromTheClasspath() throws Exception {
        HttpResponse<String> stompJs = server.get("webjars/stomp__stompjs/7.2.1/esm6/index.js");
        assertEquals(200, stompJs.statusCode());
        assertEquals("text/javascript", type(stompJs));
        assertEquals(404, server.get("webjars/nothing/here.js").statusCode());
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() throws Exception {
        for (String path : new String[] {"", "echo.html", "js/ws.js", "health", "no-such-page.html"}) {
            HttpResponse<String> response = server.get(path);
            String csp = response.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
                    path + ": " + csp);
            assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(""), path);
            assertEquals("DENY", response.headers().firstValue("X-Frame-Options").orElse(""), path);
        }
        assertTrue(server.get("console.html").headers().firstValue("Content-Security-Policy").orElse("").contains("'unsafe-eval'"),
                "only the console's pages may evaluate");
    }

    @Test
    void noPageHasInlineScriptOrInlineHandlers() throws Exception {
        try (var pages = java.nio.file.Files.list(java.nio.file.Path.of("src/main/webapp"))) {
            for (java.nio.file.Path page : pages.filter(p -> p.toString().endsWith(".html")).toList()) {
                String html = java.nio.file.Files.readString(page);
                assertTrue(!html.matches("(?s).*<script(?![^>]*\\bsrc=)[^>]*>.*"), page + " has an inline script");
                assertTrue(!html.matches("(?s).*\\son[a-z]+=.*"), page + " has an inline event handler");
                assertTrue(!html.contains("style=\""), page + " has an inline style");
            }
        }
    }

    @Test
    void noScriptPutsTextIntoTheDocumentAsHtml() throws Exception {
        try (var scripts = java.nio.file.Files.list(java.nio.file.Path.of("src/main/webapp/js"))) {
            for (java.nio.file.Path script : scripts.toList()) {
                String code = java.nio.file.Files.readString(script);
                for (String sink : new String[] {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"}) {
                    assertTrue(!code.contains(sink), script + " uses " + sink);
                }
            }
        }
    }

    @Test
    void webInfIsNeverServed() throws Exception {
        assertEquals(404, server.get("WEB-INF/web.xml").statusCode());
        assertEquals(404, server.get("web-inf/web.xml").statusCode());
    }

    @Test
    void healthIsUpJsonWithConnectionCounts() throws Exception {
        HttpResponse<String> health = server.get("health");
        assertEquals(200, health.statusCode());
        assertTrue(type(health).startsWith("application/json"));
        JsonObject report = Json.createReader(new StringReader(health.body())).readObject();
        assertEquals("UP", report.getString("status"));
        assertEquals(0, report.getInt("connections"));
        assertTrue(report.getJsonObject("endpoints").containsKey("echo"));
    }

    @Test
    void metricsArePrometheusTextWithPerEndpointSeries() throws Exception {
        HttpResponse<String> metrics = server.get("metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(type(metrics).startsWith("text/plain"));
        for (String series : new String[] {
                "switchboard_connections_open{endpoint=\"echo\"}",
                "switchboard_messages_received_total{endpoint=\"echo\"}",
                "switchboard_messages_sent_total{endpoint=\"echo\"}",
                "switchboard_bytes_received_total{endpoint=\"echo\"}",
                "switchboard_bytes_sent_total{endpoint=\"echo\"}",
                "switchboard_slow_consumer_closes_total{endpoint=\"echo\"}",
                "jvm_memory_used_bytes"}) {
            assertTrue(metrics.body().contains(series), "metrics contain " + series);
        }
    }

    @Test
    void defaultBindIsLoopbackOnly() throws Exception {
        assertEquals("127.0.0.1", server.server().host());
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(nic -> {
                    try {
                        return nic.isUp() && !nic.isLoopback();
                    } catch (java.net.SocketException e) {
                        return false;
                    }
                })
                .flatMap(nic -> Collections.list(nic.getInetAddresses()).stream())
                .filter(address -> address instanceof java.net.Inet4Address)
                .findFirst();
        assumeTrue(external.isPresent(), "this machine has a non-loopback IPv4 address to try");
        assertThrows(ConnectException.class, () -> new Socket(external.get(), server.port()).close());
    }

    @Test
    void configuredPortIsHonoured() throws Exception {
        int free;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }
        try (RunningServer fixed = RunningServer.start(Map.of("port", String.valueOf(free)))) {
            assertEquals(free, fixed.port());
            assertEquals(200, fixed.get("health").statusCode());
        }
    }

    private static String type(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }
}
