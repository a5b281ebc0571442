package dev.switchboard.security;

import dev.switchboard.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrustedProxiesTest {

    private final TrustedProxies local = TrustedProxies.of(List.of("127.0.0.1", "::1"));
    private final TrustedProxies lan = TrustedProxies.of(List.of("10.0.0.0/8", "fd00::/8", "127.0.0.1"));

    private static java.util.function.Function<String, String> headers(String... pairs) {
        Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map::get;
    }

    @Test
    void cidrBlocksMatchByPrefixForBothFamilies() {
        assertTrue(lan.trusts("10.1.2.3"));
        assertTrue(lan.trusts("::ffff:10.200.0.1"));
        assertFalse(lan.trusts("11.0.0.1"));
        assertTrue(lan.trusts("fd12:3456::1"));
        assertFalse(lan.trusts("fe80::1"));
        assertTrue(TrustedProxies.of(List.of("192.168.1.128/25")).trusts("192.168.1.200"));
        assertFalse(TrustedProxies.of(List.of("192.168.1.128/25")).trusts("192.168.1.127"));
        assertTrue(TrustedProxies.of(List.of("0.0.0.0/0")).trusts("8.8.8.8"));
        assertFalse(TrustedProxies.of(List.of("0.0.0.0/0")).trusts("::2"));
        assertTrue(local.trusts("0:0:0:0:0:0:0:1"));
        assertFalse(local.trusts("localhost"), "names are never resolved");
    }

    @Test
    void entriesThatAreNotAddressesAreRefused() {
        for (String bad : List.of("localhost", "10.0.0.0/33", "10.0.0/8", "::1/129", "10.0.0.1/", "1.2.3.4/x", "*")) {
            ConfigException refused = assertThrows(ConfigException.class, () -> TrustedProxies.of(List.of(bad)), bad);
            assertTrue(refused.getMessage().contains("'trusted-proxies'"), refused.getMessage());
        }
        assertFalse(TrustedProxies.of(List.of("10.0.0.0/8", "::1", "[::1]", "2001:db8::/32")).isEmpty());
    }

    @Test
    void withoutForwardingHeadersThePeerIsTheClient() {
        TrustedProxies.Client client = local.resolve("127.0.0.1", headers());
        assertEquals("127.0.0.1", client.address());
        assertFalse(client.forwarded());
        assertNull(client.proto());
    }

    @Test
    void headersFromAnUntrustedPeerAreNotBelievedAndMarkItForwarded() {
        TrustedProxies.Client client = TrustedProxies.NONE.resolve("127.0.0.1",
                headers("X-Forwarded-For", "127.0.0.1", "X-Forwarded-Proto", "https"));
        assertEquals("127.0.0.1", client.address());
        assertTrue(client.forwarded(), "a forwarded request from an untrusted proxy is not loopback");
        assertFalse(client.secure());
        assertTrue(local.resolve("203.0.113.9", headers("Forwarded", "for=127.0.0.1;proto=https")).forwarded());
        assertTrue(TrustedProxies.NONE.resolve("127.0.0.1", headers("X-Real-IP", "127.0.0.1")).forwarded());
    }

    @Test
    void theFirstUntrustedHopFromTheRightIsTheClient() {
        // the client wrote "1.1.1.1" itself; nginx appended the address it saw
        TrustedProxies.Client client = lan.resolve("127.0.0.1",
                headers("X-Forwarded-For", "1.1.1.1, 203.0.113.7, 10.0.0.5", "X-Forwarded-Proto", "https"));
        assertEquals("203.0.113.7", client.address());
        assertTrue(client.secure());
        assertTrue(client.forwarded());
    }

    @Test
    void aLoopbackClientThroughALocalTrustedProxyIsLoopback() {
        TrustedProxies.Client client = local.resolve("127.0.0.1", headers("X-Forwarded-For", "127.0.0.1"));
        assertEquals("127.0.0.1", client.address());
        assertFalse(client.forwarded());
        assertTrue(OperatorPolicy.mayOperate(false, java.util.Set.of(), client.address(), client.forwarded()));
    }

    @Test
    void aLoopbackAddressSaidByAProxyOnAnotherMachineIsNotThisMachine() {
        TrustedProxies.Client client = lan.resolve("10.0.0.5", headers("X-Forwarded-For", "127.0.0.1"));
        assertEquals("127.0.0.1", client.address());
        assertTrue(client.forwarded());
        assertFalse(OperatorPolicy.mayOperate(false, java.util.Set.of(), client.address(), client.forwarded()));
    }

    @Test
    void forwardedHeaderGivesAddressProtoAndHostOfTheClientsElement() {
        TrustedProxies.Client client = lan.resolve("10.0.0.2", headers("Forwarded",
                "for=198.51.100.1;proto=http, for=\"[2001:db8:cafe::17]:4711\";proto=https;host=chat.example.com, for=10.0.0.9"));
        assertEquals("2001:db8:cafe::17", client.address());
        assertEquals("https", client.proto());
        assertEquals("chat.example.com", client.host());
    }

    @Test
    void forwardedWinsOverXForwardedForAndUnknownStopsTheWalk() {
        TrustedProxies.Client client = local.resolve("127.0.0.1",
                headers("Forwarded", "for=192.0.2.43", "X-Forwarded-For", "198.51.100.9"));
        assertEquals("192.0.2.43", client.address());
        TrustedProxies.Client hidden = local.resolve("127.0.0.1", headers("Forwarded", "for=_hidden;proto=https"));
        assertEquals("127.0.0.1", hidden.address());
        assertTrue(hidden.forwarded());
        assertTrue(hidden.secure());
    }

    @Test
    void aTrustedProxySayingOnlyXRealIpNamesNobody() {
        TrustedProxies.Client client = local.resolve("127.0.0.1", headers("X-Real-IP", "127.0.0.1"));
        assertEquals("127.0.0.1", client.address());
        assertTrue(client.forwarded());
    }

    @Test
    void portsOnForwardedForAddressesAreDropped() {
        assertEquals("192.0.2.1", local.resolve("::1", headers("X-Forwarded-For", "192.0.2.1:5555")).address());
        assertEquals("2001:db8::1", local.resolve("[::1]", headers("X-Forwarded-For", "2001:db8::1")).address());
    }
}
