package dev.switchboard.security;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OriginPolicyTest {

    private static final ServerNames NAMES = ServerNames.of("chat.example.com", "localhost", "127.0.0.1");
    private final OriginPolicy defaults = OriginPolicy.of(List.of(), NAMES);

    @Test
    void requestWithoutOriginIsNotFromABrowserAndPasses() {
        assertTrue(defaults.allows(null, "example.com"));
    }

    @Test
    void defaultAllowsThePagesOwnHost() {
        assertTrue(defaults.allows("http://chat.example.com:8080", "chat.example.com:8080"));
        assertTrue(defaults.allows("https://chat.example.com", "chat.example.com"));
        assertTrue(defaults.allows("https://Chat.Example.com", "chat.example.COM"));
    }

    @Test
    void defaultRefusesTheSameHostOnAnotherPort() {
        assertFalse(defaults.allows("http://chat.example.com:9999", "chat.example.com:8080"));
        assertFalse(defaults.allows("http://chat.example.com", "chat.example.com:8080"));
    }

    @Test
    void defaultAllowsLocalhostOnAnyPort() {
        assertTrue(defaults.allows("http://localhost:3000", "chat.example.com"));
        assertTrue(defaults.allows("http://127.0.0.1:5173", "chat.example.com"));
        assertTrue(defaults.allows("http://[::1]:8080", "chat.example.com"));
    }

    @Test
    void defaultRefusesOtherSites() {
        assertFalse(defaults.allows("https://evil.example", "chat.example.com"));
        assertFalse(defaults.allows("https://chat.example.com.evil.example", "chat.example.com"));
        assertFalse(defaults.allows("https://localhost.evil.example", "chat.example.com"));
    }

    @Test
    void opaqueAndMalformedOriginsAreRefused() {
        assertFalse(defaults.allows("null", "chat.example.com"));
        assertFalse(defaults.allows("not a url", "chat.example.com"));
        assertFalse(defaults.allows("", "chat.example.com"));
    }

    @Test
    void sameHostNeedsAHostHeader() {
        assertFalse(OriginPolicy.of(List.of("same-host"), NAMES).allows("http://a.example", null));
    }

    @Test
    void configuredListReplacesTheDefault() {
        OriginPolicy policy = OriginPolicy.of(List.of("https://app.example.com", "partner.example"), NAMES);
        assertTrue(policy.allows("https://app.example.com", "api.example.com"));
        assertTrue(policy.allows("https://app.example.com:443", "api.example.com"));
        assertFalse(policy.allows("http://app.example.com", "api.example.com"), "scheme counts in a full origin");
        assertTrue(policy.allows("http://partner.example:8443", "api.example.com"), "a bare host takes any scheme and port");
        assertFalse(policy.allows("http://localhost:3000", "api.example.com"), "localhost is not implied once configured");
        assertFalse(policy.allows("https://api.example.com", "api.example.com"), "same-host is not implied once configured");
    }

    @Test
    void starAllowsAnything() {
        OriginPolicy any = OriginPolicy.of(List.of("*"), NAMES);
        assertTrue(any.allows("https://evil.example", "chat.example.com"));
        assertTrue(any.allows("null", "chat.example.com"));
    }

    @Test
    void loopbackIsAParsedAddressOrExactlyLocalhostNeverAPrefix() {
        assertFalse(defaults.allows("http://127.evil.com", "chat.example.com"));
        assertFalse(defaults.allows("http://127.0.0.1.evil.com", "chat.example.com"));
        assertFalse(defaults.allows("http://localhost.evil.com", "chat.example.com"));
        assertFalse(defaults.allows("http://evil.localhost", "chat.example.com"));
        assertFalse(defaults.allows("http://127.0.0.256", "chat.example.com"));
        assertTrue(defaults.allows("http://127.8.9.10:1234", "chat.example.com"));
        assertTrue(defaults.allows("http://[0:0:0:0:0:0:0:1]", "chat.example.com"));
    }

    @Test
    void sameHostIsOnlyOneOfThisServersNamesSoARebindingNameIsForeign() {
        // DNS rebinding: the attacker's name now points at us, and the browser sends it as both
        assertFalse(defaults.allows("http://rebind.evil.com:8080", "rebind.evil.com:8080"));
        assertTrue(defaults.allows("http://chat.example.com:8080", "chat.example.com:8080"));
    }

    @Test
    void defaultServerNamesAreLocalhostTheBindAddressAndThisMachine() {
        ServerNames names = ServerNames.of(List.of(), "10.1.2.3");
        assertTrue(names.contains("localhost"));
        assertTrue(names.contains("10.1.2.3"));
        assertTrue(names.contains("[::1]"));
        assertTrue(names.contains("127.0.0.1"));
        assertFalse(names.contains("evil.com"));
        assertFalse(ServerNames.of(List.of("app.example.com"), "0.0.0.0").contains("localhost"),
                "configured names replace the defaults");
    }
}
