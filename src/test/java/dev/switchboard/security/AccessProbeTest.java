package dev.switchboard.security;

import dev.switchboard.testing.RunningServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET access}: what a page needs to tell "refused" from "dropped" — who is logged in and
 * what a handshake would get — always 200, and no 401 of a page's own fetch ever names Basic.
 */
class AccessProbeTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("security", "on",
                "security.users", "bob:{noop}pw:user,olga:{noop}op:operator|user"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String login(String user, String password) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.http("login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=" + user + "&password=" + password)).build(),
                HttpResponse.BodyHandlers.ofString());
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static JsonObject access(String query, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.http("access") + query));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    @Test
    void nobodyLoggedInIsToldToLogInForEveryEndpointButStomp() throws Exception {
        JsonObject me = access("", null);
        assertTrue(me.getBoolean("security"));
        assertTrue(me.isNull("user"));
        assertEquals("login", access("?path=chat/lobby", null).getString("access"));
        assertEquals("login", access("?path=vnc/desk", null).getString("access"));
        assertEquals("allowed", access("?path=stomp", null).getString("access"), "STOMP logs in at CONNECT");
        assertEquals("unknown", access("?path=nothing/here", null).getString("access"));
    }

    @Test
    void aUserIsAllowedWhereTheRulesSayAndForbiddenElsewhere() throws Exception {
        String bob = login("bob", "pw");
        JsonObject me = access("", bob);
        assertEquals("bob", me.getString("user"));
        assertFalse(me.getBoolean("operator"));
        assertEquals("allowed", access("?path=chat/lobby", bob).getString("access"));
        JsonObject vnc = access("?path=vnc/desk", bob);
        assertEquals("forbidden", vnc.getString("access"), "vnc needs operator");
        assertTrue(vnc.getString("reason").contains("bob"));
        String olga = login("olga", "op");
        assertTrue(access("", olga).getBoolean("operator"));
        assertEquals("allowed", access("?path=vnc/desk", olga).getString("access"));
    }

    @Test
    void aPagesOwnFetchOfAnOperatorPageIsNeverChallengedWithBasic() throws Exception {
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(server.http("stomp-stats"))
                .header("X-Requested-With", "switchboard").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, page.statusCode());
        String challenge = page.headers().firstValue("WWW-Authenticate").orElse("");
        assertFalse(challenge.toLowerCase().startsWith("basic"), "no password dialog: " + challenge);
        HttpResponse<String> scraper = HTTP.send(HttpRequest.newBuilder(server.http("metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(scraper.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"), "scrapers get Basic");
    }
}
