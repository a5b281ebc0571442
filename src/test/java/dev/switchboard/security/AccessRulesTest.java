package dev.switchboard.security;

import dev.switchboard.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessRulesTest {

    private final Identity user = new Identity("u", Set.of("user"));
    private final Identity operator = new Identity("o", Set.of("operator"));

    @Test
    void defaultsLetAnyUserEverywhereButVncAndConsoleNeedOperators() {
        AccessRules rules = AccessRules.parse(null);
        assertTrue(rules.allows(user, "chat", "lobby"));
        assertTrue(rules.allows(user, "stomp.send", "/topic/a/b"));
        assertFalse(rules.allows(user, "vnc", "desk"));
        assertFalse(rules.allows(user, "console", "operate"));
        assertTrue(rules.allows(operator, "vnc", "desk"));
    }

    @Test
    void wildcardsMatchOneSegmentOrAnything() {
        AccessRules rules = AccessRules.parse("stomp.send:/topic/*/prices=user;stomp.send:/queue/**=operator");
        assertTrue(rules.allows(user, "stomp.send", "/topic/nyse/prices"));
        assertFalse(rules.allows(user, "stomp.send", "/topic/nyse/x/prices"));
        assertFalse(rules.allows(user, "stomp.send", "/topic/other"), "no pattern matches: denied");
        assertTrue(rules.allows(operator, "stomp.send", "/queue/a/b/c"));
        assertFalse(rules.allows(user, "stomp.send", "/queue/a"));
        assertTrue(rules.allows(user, "stomp.subscribe", "/queue/a"), "actions not named keep the default");
    }

    @Test
    void firstMatchingPatternDecidesAndSegmentGlobsWork() {
        AccessRules rules = AccessRules.parse("chat:staff-*=operator;chat:*=*");
        assertFalse(rules.allows(user, "chat", "staff-room"));
        assertTrue(rules.allows(operator, "chat", "staff-room"));
        assertTrue(rules.allows(user, "chat", "lobby"));
    }

    @Test
    void malformedRulesStopStartup() {
        assertThrows(ConfigException.class, () -> AccessRules.parse("fly:/x=user"));
        assertThrows(ConfigException.class, () -> AccessRules.parse("chat=user"));
    }

    @Test
    void usersVerifyBcryptAndNoopPasswords() {
        UserStore users = UserStore.parse(List.of("a:{noop}secret:user", "b:" + UserStore.bcrypt("s3cret") + ":operator|user"), null);
        assertEquals(Set.of("user"), users.verify("a", "secret").orElseThrow().roles());
        assertTrue(users.verify("a", "Secret").isEmpty());
        assertEquals(Set.of("operator", "user"), users.verify("b", "s3cret").orElseThrow().roles());
        assertTrue(users.verify("b", "nope").isEmpty());
        assertTrue(users.verify("nobody", "s3cret").isEmpty());
        assertThrows(ConfigException.class, () -> UserStore.parse(List.of("c:plaintext:user"), null));
        assertThrows(ConfigException.class, () -> UserStore.parse(List.of("c"), null));
    }

    @Test
    void loginSessionsExpire() {
        long[] now = {0};
        LoginSessions sessions = new LoginSessions(Duration.ofSeconds(10), () -> now[0]);
        String token = sessions.open(user);
        assertEquals("u", sessions.find(token).orElseThrow().name());
        now[0] = Duration.ofSeconds(11).toNanos();
        assertTrue(sessions.find(token).isEmpty());
        assertEquals(token, LoginSessions.tokenFromCookieHeader("x=1; " + LoginSessions.COOKIE + "=" + token + "; y=2"));
    }
}
