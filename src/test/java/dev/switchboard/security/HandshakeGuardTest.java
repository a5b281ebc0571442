package dev.switchboard.security;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeGuardTest {

    private final AtomicInteger open = new AtomicInteger();
    private final HandshakeGuard openGuard = new HandshakeGuard(OriginPolicy.of(List.of(), ServerNames.of(List.of(), "127.0.0.1")), SecurityPolicy.off(), open::get, 2);
    private final SecurityPolicy on = new SecurityPolicy(true,
            UserStore.parse(List.of("alice:{noop}pw:user", "olga:{noop}op:operator"), null),
            AccessRules.parse(null), new LoginSessions(Duration.ofHours(1), System::nanoTime),
            new FailedLogins(3, Duration.ofMinutes(1), System::nanoTime));
    private final HandshakeGuard securedGuard = new HandshakeGuard(OriginPolicy.of(List.of(), ServerNames.of(List.of(), "127.0.0.1")), on, open::get, 2);

    private static HandshakeGuard.Request request(String origin, String authorization, String cookie, String resource) {
        return new HandshakeGuard.Request(origin, "localhost:8080", authorization, cookie, null, resource, "127.0.0.1");
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void securityOffLetsAllowedOriginsInAsAnonymous() {
        HandshakeGuard.Decision decision = openGuard.check(request("http://localhost:8080", null, null, "x"), HandshakeGuard.Access.USER);
        assertFalse(decision.refused());
        assertEquals(Identity.ANONYMOUS, decision.identity());
    }

    @Test
    void foreignOriginGets403BeforeAnythingElse() {
        open.set(2);
        HandshakeRefusal refusal = securedGuard.check(request("https://evil.example", "Basic garbage", null, "x"),
                HandshakeGuard.Access.USER).refusal();
        assertEquals(403, refusal.status());
        assertTrue(refusal.reason().contains("evil.example"));
    }

    @Test
    void fullServerGets503() {
        open.set(2);
        assertEquals(503, openGuard.check(request(null, null, null, "x"), HandshakeGuard.Access.USER).refusal().status());
        open.set(1);
        assertFalse(openGuard.check(request(null, null, null, "x"), HandshakeGuard.Access.USER).refused());
    }

    @Test
    void missingOrWrongCredentialsGet401WhenSecurityIsOn() {
        assertEquals(401, securedGuard.check(request(null, null, null, "x"), HandshakeGuard.Access.USER).refusal().status());
        assertEquals(401, securedGuard.check(request(null, basic("alice", "nope"), null, "x"), HandshakeGuard.Access.USER)
                .refusal().status());
        assertEquals(401, securedGuard.check(request(null, null, LoginSessions.COOKIE + "=forged", "x"), HandshakeGuard.Access.USER)
                .refusal().status());
        assertEquals(401, securedGuard.check(request(null, "Bearer abc", null, "x"), HandshakeGuard.Access.USER).refusal().status());
    }

    @Test
    void openEndpointsLetAnonymousInButNotWrongCredentials() {
        HandshakeGuard.Decision anonymous = securedGuard.check(request(null, null, null, ""), HandshakeGuard.Access.OPEN);
        assertFalse(anonymous.refused());
        assertNull(anonymous.identity());
        assertEquals(401, securedGuard.check(request(null, basic("alice", "x"), null, ""), HandshakeGuard.Access.OPEN)
                .refusal().status());
    }

    @Test
    void ruleDecidesAfterAuthentication() {
        assertEquals(403, securedGuard.check(request(null, basic("alice", "pw"), null, "desk"), HandshakeGuard.Access.rule("vnc"))
                .refusal().status());
        HandshakeGuard.Decision olga = securedGuard.check(request(null, basic("olga", "op"), null, "desk"),
                HandshakeGuard.Access.rule("vnc"));
        assertFalse(olga.refused());
        assertEquals("olga", olga.identity().name());
    }

    @Test
    void loginCookieAuthenticates() {
        String token = on.sessions().open(new Identity("alice", Set.of("user")));
        HandshakeGuard.Decision decision = securedGuard.check(request(null, null, "a=b; " + LoginSessions.COOKIE + "=" + token,
                "x"), HandshakeGuard.Access.USER);
        assertEquals("alice", decision.identity().name());
    }

    @Test
    void containerUserCountsWhenNoOtherCredentialsAreGiven() {
        HandshakeGuard.Decision decision = securedGuard.check(new HandshakeGuard.Request(null, "h", null, null,
                new Identity("realm-user", Set.of("operator")), "desk", null), HandshakeGuard.Access.rule("vnc"));
        assertEquals("realm-user", decision.identity().name());
    }

    @Test
    void headerLookupIgnoresCase() {
        assertEquals("x", GuardedConfigurator.header(Map.of("oRiGiN", List.of("x")), "Origin"));
        assertNull(GuardedConfigurator.header(Map.of("Origin", List.of()), "Origin"));
    }

    @Test
    void repeatedWrongPasswordsAreThrottledWith429AndARetryAfter() {
        for (int i = 0; i < 3; i++) {
            assertEquals(401, securedGuard.check(request(null, basic("alice", "wrong" + i), null, "x"),
                    HandshakeGuard.Access.USER).refusal().status());
        }
        HandshakeRefusal refusal = securedGuard.check(request(null, basic("alice", "pw"), null, "x"),
                HandshakeGuard.Access.USER).refusal();
        assertEquals(429, refusal.status(), "even the right password waits once the user is throttled");
        assertTrue(refusal.retryAfterSeconds() >= 1 && refusal.retryAfterSeconds() <= 60);
        assertFalse(securedGuard.check(new HandshakeGuard.Request(null, "localhost:8080", basic("olga", "op"), null,
                null, "x", "127.0.0.2"), HandshakeGuard.Access.USER).refused(),
                "another user from another address is unaffected");
    }
}
