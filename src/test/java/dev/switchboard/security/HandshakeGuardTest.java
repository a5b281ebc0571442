package dev.switchboard.security;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeGuardTest {

    private final AtomicInteger open = new AtomicInteger();
    private final HandshakeGuard guard = new HandshakeGuard(OriginPolicy.of(List.of()), open::get, 2);

    @Test
    void allowedOriginBelowTheLimitPasses() {
        assertTrue(guard.check("http://localhost:8080", "localhost:8080").isEmpty());
        assertTrue(guard.check(null, null).isEmpty());
    }

    @Test
    void foreignOriginGets403() {
        Optional<HandshakeRefusal> refusal = guard.check("https://evil.example", "localhost:8080");
        assertEquals(403, refusal.orElseThrow().status());
        assertTrue(refusal.get().reason().contains("evil.example"));
    }

    @Test
    void fullServerGets503() {
        open.set(2);
        assertEquals(503, guard.check(null, "localhost:8080").orElseThrow().status());
        open.set(1);
        assertTrue(guard.check(null, "localhost:8080").isEmpty());
    }

    @Test
    void originIsCheckedBeforeTheConnectionLimit() {
        open.set(2);
        assertEquals(403, guard.check("https://evil.example", "localhost:8080").orElseThrow().status());
    }

    @Test
    void headerLookupIgnoresCase() {
        assertEquals("x", GuardedConfigurator.header(java.util.Map.of("oRiGiN", List.of("x")), "Origin"));
        assertEquals(null, GuardedConfigurator.header(java.util.Map.of("Origin", List.of()), "Origin"));
    }
}
