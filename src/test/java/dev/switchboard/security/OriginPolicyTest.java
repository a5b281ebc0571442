package dev.switchboard.security;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OriginPolicyTest {

    private final OriginPolicy defaults = OriginPolicy.of(List.of());

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
        assertFalse(OriginPolicy.of(List.of("same-host")).allows("http://a.example", null));
    }

    @Test
    void configuredListReplacesTheDefault() {
        OriginPolicy policy = OriginPolicy.of(List.of("https://app.example.com", "partner.example"));
        assertTrue(policy.allows("https://app.example.com", "api.example.com"));
        assertTrue(policy.allows("https://app.example.com:443", "api.example.com"));
        assertFalse(policy.allows("http://app.example.com", "api.example.com"), "scheme counts in a full origin");
        assertTrue(policy.allows("http://partner.example:8443", "api.example.com"), "a bare host takes any scheme and port");
        assertFalse(policy.allows("http://localhost:3000", "api.example.com"), "localhost is not implied once configured");
        assertFalse(policy.allows("https://api.example.com", "api.example.com"), "same-host is not implied once configured");
    }

    @Test
    void starAllowsAnything() {
        OriginPolicy any = OriginPolicy.of(List.of("*"));
        assertTrue(any.allows("https://evil.example", "chat.example.com"));
        assertTrue(any.allows("null", "chat.example.com"));
    }
}
