package dev.switchboard.security;

import dev.switchboard.testing.RawHttp;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logins under attack, over real sockets: failures are throttled per user and per address (429
 * with Retry-After on the login page, on Basic handshakes and on operator resources), another user
 * from another address is unaffected, long passwords are refused like wrong ones, and every
 * refusal carries the security headers.
 */
class LoginHardeningTest {

    private static final String OLGA_PASSWORD = "correct horse battery staple";
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of(
                "security", "on",
                "security.max-failed-logins", "5",
                "server-names", "127.0.0.1,localhost,proxy.example",
                "security.users", "alice:{noop}pw:user,bob:{noop}pw:user,carol:{noop}pw:user,dave:{noop}pw:user,erin:{noop}pw:user,"
                        + "olga:" + UserStore.bcrypt(OLGA_PASSWORD) + ":operator|user"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawHttp.Answer exchange(String source, String request) throws IOException {
        return RawHttp.exchange(source, server.port(), request);
    }

    private static RawHttp.Answer postLogin(String source, String user, String password) throws IOException {
        String body = "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&next=chat.html";
        return exchange(source, "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void failedLoginsOfOneUserAreThrottledWith429ThenOtherUsersFromOtherAddressesStillLogIn() throws Exception {
        for (int i = 0; i < 5; i++) {
            RawHttp.Answer answer = postLogin("127.0.0.11", "alice", "wrong" + i);
            assertEquals(303, answer.status());
            assertTrue(answer.header("Location").contains("failed"));
        }
        RawHttp.Answer throttled = postLogin("127.0.0.11", "alice", "pw");
        assertEquals(429, throttled.status(), throttled.headers().toString());
        long retry = Long.parseLong(throttled.header("Retry-After"));
        assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
        assertEquals("nosniff", throttled.header("X-Content-Type-Options"), "a refusal carries the security headers");
        assertTrue(throttled.header("Content-Security-Policy") != null);

        assertEquals(429, (postLogin("127.0.0.12", "alice", "pw")).status(), "the user is throttled from anywhere");
        assertEquals(303, (postLogin("127.0.0.13", "bob", "pw")).status(), "another user from another address is unaffected");
    }

    @Test
    void failedLoginsFromOneAddressAreThrottledAcrossUserNames() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(303, (postLogin("127.0.0.21", "nobody" + i, "x")).status());
        }
        assertEquals(429, (postLogin("127.0.0.21", "carol", "pw")).status());
        assertTrue(postLogin("127.0.0.22", "carol", "pw").header("Set-Cookie").startsWith(LoginSessions.COOKIE + "="),
                "the same user from another address logs in");
    }

    @Test
    void basicHandshakesAndOperatorResourcesAreThrottledToo() throws Exception {
        String wrong = RawHttp.upgrade("echo", "127.0.0.1", "Authorization: " + basic("dave", "wrong") + "\r\n");
        for (int i = 0; i < 5; i++) {
            assertEquals(401, (exchange("127.0.0.31", wrong)).status());
        }
        RawHttp.Answer refused = exchange("127.0.0.31", wrong.replace(basic("dave", "wrong"), basic("dave", "pw")));
        assertEquals(429, refused.status(), refused.headers().toString());
        assertTrue(Long.parseLong(refused.header("Retry-After")) >= 1);
        assertEquals("DENY", refused.header("X-Frame-Options"), "a handshake refusal carries the security headers");
        RawHttp.Answer metrics = exchange("127.0.0.31", "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Authorization: " + basic("erin", "pw") + "\r\n\r\n");
        assertEquals(429, metrics.status(), "the address is throttled for every way of logging in");
    }

    @Test
    void aPasswordOverSeventyTwoBytesIsRefusedLikeAWrongOneNeverA500() throws Exception {
        RawHttp.Answer answer = postLogin("127.0.0.41", "olga", OLGA_PASSWORD + "x".repeat(100));
        assertEquals(303, answer.status(), answer.headers().toString());
        assertTrue(answer.header("Location").contains("failed"));
        assertEquals(401, WsClient.refusal(server.ws("echo"),
                Map.of("Authorization", basic("olga", "é".repeat(40)))).statusCode());
    }

    @Test
    void operatorResourceRefusalsCarryTheSecurityHeaders() throws Exception {
        for (String path : new String[] {"metrics", "stomp-stats"}) {
            RawHttp.Answer anonymous = exchange("127.0.0.51", "GET /" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertEquals(401, anonymous.status(), path);
            assertEquals("nosniff", anonymous.header("X-Content-Type-Options"), path);
            assertEquals("DENY", anonymous.header("X-Frame-Options"), path);
            assertTrue(anonymous.header("Content-Security-Policy").contains("default-src 'self'"), path);
            RawHttp.Answer user = exchange("127.0.0.51", "GET /" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Authorization: " + basic("bob", "pw") + "\r\n\r\n");
            assertEquals(403, user.status(), path);
            assertEquals("no-referrer", user.header("Referrer-Policy"), path);
        }
    }

    @Test
    void loginRedirectIsRelativeNeverBuiltFromTheHostHeader() throws Exception {
        RawHttp.Answer answer = exchange("127.0.0.61", "GET /login HTTP/1.1\r\nHost: proxy.example\r\nConnection: close\r\n\r\n");
        assertEquals(303, answer.status());
        String location = answer.header("Location");
        assertFalse(location.contains("proxy.example"), location);
        assertEquals("login.html", location);
    }

    @Test
    void aGoodBasicHandshakeIsCheckedOnceThenRemembered() throws Exception {
        Map<String, String> olga = Map.of("Authorization", basic("olga", OLGA_PASSWORD));
        SecurityPolicy security = server.server().application().security();
        long before = security.passwordChecks();
        for (int i = 0; i < 5; i++) {
            try (WsClient ws = WsClient.connect(server.ws("echo"), olga)) {
                ws.sendText("hi");
                assertEquals("hi", ws.nextText());
            }
        }
        assertEquals(1, security.passwordChecks() - before, "one bcrypt check for five handshakes");
    }
}
