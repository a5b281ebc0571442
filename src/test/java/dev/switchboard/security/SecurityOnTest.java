package dev.switchboard.security;

import dev.switchboard.config.ConfigException;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With {@code security=on}: who is refused where, with which status or error. */
class SecurityOnTest {

    private static final String OLGA_PASSWORD = "correct horse battery staple";
    private static RunningServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        int deadPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            deadPort = probe.getLocalPort();
        }
        server = RunningServer.start(Map.of(
                "security", "on",
                "security.max-failed-logins", "1000", // this class tries many wrong passwords; LoginHardeningTest tests the throttle
                "security.users", "alice:{noop}pw:user," + "olga:" + UserStore.bcrypt(OLGA_PASSWORD) + ":operator|user",
                "security.rules", "stomp.send:/topic/announcements=operator;stomp.send:**=*;"
                        + "stomp.subscribe:/queue/ops=operator;stomp.subscribe:**=*;"
                        + "chat:secret=operator;chat:*=*;images:private=operator;images:*=*",
                "vnc.targets", "desk=127.0.0.1:" + deadPort));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> as(String user, String password) {
        return Map.of("Authorization", basic(user, password));
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static String login(String user, String password) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(server.http("login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=" + user + "&password=" + password + "&next=chat.html"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(303, response.statusCode());
        return response.headers().firstValue("Set-Cookie").orElse("");
    }

    @Test
    void handshakeWithoutOrWithWrongCredentialsIs401WithABasicChallenge() {
        for (String path : new String[] {"echo", "chat/lobby", "images/lobby", "console", "vnc/desk"}) {
            HttpResponse<?> none = WsClient.refusal(server.ws(path), Map.of());
            assertEquals(401, none.statusCode(), path);
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm=\"switchboard\""), path);
            assertEquals(401, WsClient.refusal(server.ws(path), as("alice", "wrong")).statusCode(), path);
            assertEquals(401, WsClient.refusal(server.ws(path), as("nobody", "pw")).statusCode(), path);
        }
    }

    @Test
    void basicCredentialsOpenTheEndpoints() throws Exception {
        try (WsClient echo = WsClient.connect(server.ws("echo"), as("alice", "pw"))) {
            assertEquals("hi", echo.sendText("hi").nextText());
        }
        try (WsClient echo = WsClient.connect(server.ws("echo"), as("olga", OLGA_PASSWORD))) {
            assertEquals("bcrypt works", echo.sendText("bcrypt works").nextText());
        }
    }

    @Test
    void loginPageSetsAStrictHttpOnlyCookieThatOpensWebSockets() throws Exception {
        String setCookie = login("alice", "pw");
        assertTrue(setCookie.startsWith(LoginSessions.COOKIE + "="), setCookie);
        assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        try (WsClient echo = WsClient.connect(server.ws("echo"), Map.of("Cookie", cookie))) {
            assertEquals("via cookie", echo.sendText("via cookie").nextText());
        }
        // after logout the cookie opens nothing
        HTTP.send(HttpRequest.newBuilder(server.http("logout")).header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(401, WsClient.refusal(server.ws("echo"), Map.of("Cookie", cookie)).statusCode());
    }

    @Test
    void wrongPasswordGoesBackToTheLoginPageAndNextCannotLeaveTheSite() throws Exception {
        HttpResponse<String> failed = HTTP.send(HttpRequest.newBuilder(server.http("login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=alice&password=nope&next=chat.html")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(303, failed.statusCode());
        assertTrue(failed.headers().firstValue("Location").orElse("").contains("login.html?failed"));
        assertTrue(failed.headers().firstValue("Set-Cookie").isEmpty());
        for (String evil : new String[] {"//evil.example/x", "https://evil.example", "/\\evil.example", "../../etc"}) {
            assertEquals("", LoginServlet.safeNext(evil), evil);
        }
        assertEquals("chat.html?room=lobby", LoginServlet.safeNext("chat.html?room=lobby"));
    }

    @Test
    void crossSiteWebSocketHijackingIsStoppedByTheOriginCheck() throws Exception {
        String cookie = login("alice", "pw");
        cookie = cookie.substring(0, cookie.indexOf(';'));
        // a page on another site cannot use alice's cookie: its Origin is refused first
        assertEquals(403, WsClient.refusal(server.ws("chat/lobby"),
                Map.of("Cookie", cookie, "Origin", "https://evil.example")).statusCode());
        try (WsClient ok = WsClient.connect(server.ws("chat/lobby"),
                Map.of("Cookie", cookie, "Origin", "http://127.0.0.1:" + server.port()))) {
            ok.sendText("{\"type\":\"join\",\"nick\":\"alice\"}");
            assertEquals("welcome", json(ok.nextText()).getString("type"));
        }
    }

    @Test
    void vncNeedsTheOperatorRoleAtTheHandshake() throws Exception {
        assertEquals(403, WsClient.refusal(server.ws("vnc/desk"), as("alice", "pw")).statusCode());
        try (WsClient olga = WsClient.connect(server.ws("vnc/desk"), as("olga", OLGA_PASSWORD))) {
            assertEquals(1011, olga.awaitClose().code(), "allowed in; the target itself is down");
        }
    }

    @Test
    void anyUserMayBeAConsoleTargetButOnlyOperatorsOperate() throws Exception {
        try (WsClient target = WsClient.connect(server.ws("console"), as("alice", "pw"))) {
            target.sendText("{\"type\":\"attach\",\"role\":\"target\",\"label\":\"alice's tab\"}");
            assertEquals("attached", json(target.nextText()).getString("type"));
        }
        try (WsClient wannabe = WsClient.connect(server.ws("console"), as("alice", "pw"))) {
            wannabe.sendText("{\"type\":\"attach\",\"role\":\"operator\"}");
            assertEquals("forbidden", json(wannabe.nextText()).getString("code"));
            assertEquals(1008, wannabe.awaitClose().code());
        }
        try (WsClient operator = WsClient.connect(server.ws("console"), as("olga", OLGA_PASSWORD))) {
            operator.sendText("{\"type\":\"attach\",\"role\":\"operator\"}");
            assertEquals("attached", json(operator.nextText()).getString("type"));
        }
    }

    @Test
    void deniedChatRoomAnswersForbidden() throws Exception {
        try (WsClient alice = WsClient.connect(server.ws("chat/secret"), as("alice", "pw"))) {
            alice.sendText("{\"type\":\"join\",\"nick\":\"alice\"}");
            assertEquals("forbidden", json(alice.nextText()).getString("code"));
        }
        try (WsClient olga = WsClient.connect(server.ws("chat/secret"), as("olga", OLGA_PASSWORD))) {
            olga.sendText("{\"type\":\"join\",\"nick\":\"olga\"}");
            assertEquals("welcome", json(olga.nextText()).getString("type"));
        }
    }

    @Test
    void deniedImageRoomAnswersForbiddenAndImagesCarryTheSendersName() throws Exception {
        try (WsClient alice = WsClient.connect(server.ws("images/private"), as("alice", "pw"))) {
            assertEquals("forbidden", json(alice.nextText()).getString("code"));
            alice.sendBinary(dev.switchboard.testing.TestImages.png(2, 2));
            assertEquals("forbidden", json(alice.nextText()).getString("code"));
        }
        try (WsClient alice = WsClient.connect(server.ws("images/lobby"), as("alice", "pw"));
             WsClient olga = WsClient.connect(server.ws("images/lobby"), as("olga", OLGA_PASSWORD))) {
            alice.nextText();
            olga.nextText();
            alice.sendBinary(dev.switchboard.testing.TestImages.png(2, 2));
            assertEquals("alice", json(olga.nextText()).getString("from"));
        }
    }

    private static String stomp(WsClient client, String frames) throws InterruptedException {
        client.sendText(frames.replace("^@", "\0"));
        return client.nextText();
    }

    @Test
    void stompAuthenticatesAtConnect() throws Exception {
        try (WsClient anonymous = WsClient.connect(server.ws("stomp"))) {
            String error = stomp(anonymous, "CONNECT\naccept-version:1.2\nlogin:alice\npasscode:wrong\n\n^@");
            assertTrue(error.startsWith("ERROR\n") && error.contains("message:login failed"), error);
            assertEquals(1008, anonymous.awaitClose().code());
        }
        try (WsClient alice = WsClient.connect(server.ws("stomp"))) {
            assertTrue(stomp(alice, "CONNECT\naccept-version:1.2\nlogin:alice\npasscode:pw\n\n^@").contains("user-name:alice"));
        }
        try (WsClient impostor = WsClient.connect(server.ws("stomp"), as("alice", "pw"))) {
            String error = stomp(impostor, "CONNECT\naccept-version:1.2\nlogin:olga\npasscode:x\n\n^@");
            assertTrue(error.contains("different user"), error);
            assertEquals(1008, impostor.awaitClose().code());
        }
        try (WsClient viaHandshake = WsClient.connect(server.ws("stomp"), as("olga", OLGA_PASSWORD))) {
            assertTrue(stomp(viaHandshake, "CONNECT\naccept-version:1.2\n\n^@").contains("user-name:olga"));
        }
    }

    @Test
    void stompDestinationsFollowTheRules() throws Exception {
        try (WsClient alice = WsClient.connect(server.ws("stomp"))) {
            stomp(alice, "CONNECT\naccept-version:1.2\nlogin:alice\npasscode:pw\n\n^@");
            String error = stomp(alice, "SEND\ndestination:/topic/announcements\nreceipt:r1\n\nhi^@");
            assertTrue(error.startsWith("ERROR") && error.contains("receipt-id:r1") && error.contains("not allowed"), error);
            assertEquals(1008, alice.awaitClose().code());
        }
        try (WsClient alice = WsClient.connect(server.ws("stomp"))) {
            stomp(alice, "CONNECT\naccept-version:1.2\nlogin:alice\npasscode:pw\n\n^@");
            assertTrue(stomp(alice, "SUBSCRIBE\nid:s\ndestination:/queue/ops\n\n^@").startsWith("ERROR"));
            assertEquals(1008, alice.awaitClose().code());
        }
        try (WsClient olga = WsClient.connect(server.ws("stomp"), as("olga", OLGA_PASSWORD))) {
            stomp(olga, "CONNECT\naccept-version:1.2\n\n^@");
            assertTrue(stomp(olga, "SEND\ndestination:/topic/announcements\nreceipt:ok\n\nhi^@").startsWith("RECEIPT"));
        }
    }

    @Test
    void metricsNeedAnOperatorWhilePagesLoginAndHealthStayOpen() throws Exception {
        assertEquals(401, get("metrics", null).statusCode());
        assertTrue(get("metrics", null).headers().firstValue("WWW-Authenticate").isPresent());
        assertEquals(403, get("metrics", basic("alice", "pw")).statusCode());
        assertEquals(200, get("metrics", basic("olga", OLGA_PASSWORD)).statusCode());
        assertEquals(401, get("stomp-stats", null).statusCode());
        for (String open : new String[] {"", "chat.html", "login.html", "health", "js/ws.js"}) {
            assertEquals(200, get(open, null).statusCode(), open);
        }
    }

    @Test
    void securityOnWithoutUsersIsAStartupError() {
        assertThrows(ConfigException.class, () -> RunningServer.start(Map.of("security", "on")));
    }

    private static HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.http(path).toString()));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
