package dev.switchboard.proxy;

import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code trusted-proxies} without a proxy: this test is the proxy, on loopback, and says what a
 * proxy would. Believed from a trusted address only — for the login cookie's {@code Secure}
 * flag, the client address logins are throttled by, {@code same-host} origins and the console's
 * loopback rule.
 */
class ForwardedHeadersTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static RunningServer trustingSecured;
    private static RunningServer untrustingSecured;
    private static RunningServer trustingOpen;
    private static RunningServer untrustingOpen;

    @BeforeAll
    static void start() {
        Map<String, String> secured = Map.of("security", "on", "security.users", "alice:{noop}pw:user,bob:{noop}pw:user",
                "security.max-failed-logins", "3", "server-names", "localhost,127.0.0.1,chat.example.com");
        trustingSecured = RunningServer.start(with(secured, "trusted-proxies", "127.0.0.0/8,::1"));
        untrustingSecured = RunningServer.start(secured);
        trustingOpen = RunningServer.start(Map.of("trusted-proxies", "127.0.0.1",
                "server-names", "localhost,127.0.0.1,chat.example.com"));
        untrustingOpen = RunningServer.start(Map.of("server-names", "localhost,127.0.0.1,chat.example.com"));
    }

    private static Map<String, String> with(Map<String, String> keys, String key, String value) {
        Map<String, String> all = new java.util.HashMap<>(keys);
        all.put(key, value);
        return all;
    }

    @AfterAll
    static void stop() {
        for (RunningServer server : new RunningServer[] {trustingSecured, untrustingSecured, trustingOpen, untrustingOpen}) {
            if (server != null) {
                server.close();
            }
        }
    }

    private static HttpResponse<String> login(RunningServer server, String user, String password, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.http("login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=" + user + "&password=" + password + "&next=chat.html"));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aMalformedEntryStopsStartupNamingTheKey() {
        dev.switchboard.config.ConfigException refused = org.junit.jupiter.api.Assertions.assertThrows(
                dev.switchboard.config.ConfigException.class, () -> RunningServer.start(Map.of("trusted-proxies", "10.0.0.0/8,proxy.lan")));
        assertTrue(refused.getMessage().contains("'trusted-proxies' entry 'proxy.lan'"), refused.getMessage());
    }

    @Test
    void theLoginCookieIsSecureWhenATrustedTlsTerminatingProxySaysHttps() throws Exception {
        HttpResponse<String> behindProxy = login(trustingSecured, "alice", "pw",
                "X-Forwarded-For", "203.0.113.20", "X-Forwarded-Proto", "https");
        assertEquals(303, behindProxy.statusCode());
        assertTrue(behindProxy.headers().firstValue("Set-Cookie").orElseThrow().contains("; Secure"));
        HttpResponse<String> rfc7239 = login(trustingSecured, "alice", "pw", "Forwarded", "for=203.0.113.21;proto=https");
        assertTrue(rfc7239.headers().firstValue("Set-Cookie").orElseThrow().contains("; Secure"));
        HttpResponse<String> plain = login(trustingSecured, "alice", "pw", "X-Forwarded-For", "203.0.113.22",
                "X-Forwarded-Proto", "http");
        assertFalse(plain.headers().firstValue("Set-Cookie").orElseThrow().contains("Secure"));
    }

    @Test
    void anUntrustedPeerSayingHttpsGetsNoSecureCookie() throws Exception {
        HttpResponse<String> answer = login(untrustingSecured, "alice", "pw", "X-Forwarded-Proto", "https");
        assertEquals(303, answer.statusCode());
        assertFalse(answer.headers().firstValue("Set-Cookie").orElseThrow().contains("Secure"));
    }

    @Test
    void failedLoginsAreCountedPerClientBehindATrustedProxy() throws Exception {
        for (int i = 0; i < 3; i++) {
            login(trustingSecured, "nobody" + i, "wrong", "X-Forwarded-For", "198.51.100.7");
        }
        assertEquals(429, login(trustingSecured, "bob", "pw", "X-Forwarded-For", "198.51.100.7").statusCode(),
                "that client is throttled");
        assertEquals(303, login(trustingSecured, "bob", "pw", "X-Forwarded-For", "198.51.100.8").statusCode(),
                "another client behind the same proxy is not");
    }

    @Test
    void aForwardedHostFromATrustedProxyIsTheSameHostOfItsPages() {
        Map<String, String> headers = Map.of("Origin", "https://chat.example.com",
                "Forwarded", "for=127.0.0.1;proto=https;host=chat.example.com");
        try (WsClient echo = WsClient.connect(trustingOpen.ws("echo"), headers)) {
            assertEquals("same host", echo.sendText("same host").nextText());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertEquals(403, WsClient.refusal(untrustingOpen.ws("echo"), headers).statusCode(),
                "from a peer nobody trusts, Forwarded: host= is not the Host");
    }

    @Test
    void aForwardedHostIsHeldToTheServerNames() throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(trustingOpen.http("health"))
                .header("Forwarded", "for=127.0.0.1;host=rebound.example").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(421, answer.statusCode());
    }

    private static String attachAsOperator(RunningServer server, Map<String, String> headers) throws InterruptedException {
        try (WsClient operator = WsClient.connect(server.ws("console"), headers)) {
            operator.sendText("{\"type\":\"attach\",\"role\":\"operator\"}");
            JsonObject answer = Json.createReader(new StringReader(operator.nextText())).readObject();
            return answer.getString("type").equals("error") ? answer.getString("code") : "operating";
        }
    }

    @Test
    void theConsoleLoopbackRuleFollowsTheClientATrustedProxyNames() throws Exception {
        assertEquals("operating", attachAsOperator(trustingOpen, Map.of("X-Forwarded-For", "127.0.0.1")),
                "a browser on this machine through a proxy on this machine");
        assertEquals("forbidden", attachAsOperator(trustingOpen, Map.of("X-Forwarded-For", "203.0.113.9")),
                "a client elsewhere through the trusted proxy");
        assertEquals("forbidden", attachAsOperator(trustingOpen, Map.of("X-Forwarded-For", "127.0.0.1, 10.1.1.1")),
                "loopback as named by an untrusted hop beyond the trusted proxy");
        assertEquals("operating", attachAsOperator(trustingOpen, Map.of()), "a direct loopback client");
    }

    @Test
    void aForwardedRequestFromAnUntrustedProxyIsNotLoopback() throws Exception {
        assertEquals("forbidden", attachAsOperator(untrustingOpen, Map.of("X-Forwarded-For", "127.0.0.1")));
        assertEquals("forbidden", attachAsOperator(untrustingOpen, Map.of("Forwarded", "for=127.0.0.1")));
        assertEquals("forbidden", attachAsOperator(untrustingOpen, Map.of("X-Real-IP", "127.0.0.1")));
        assertEquals("operating", attachAsOperator(untrustingOpen, Map.of()));
    }
}
