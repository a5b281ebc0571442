package dev.switchboard.security;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OperatorPolicyTest {

    @Test
    void withSecurityOffOnlyLoopbackMayOperate() {
        for (String loopback : new String[] {"127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "[::1]", "::ffff:127.0.0.1"}) {
            assertTrue(OperatorPolicy.mayOperate(false, Set.of(), loopback, false), loopback);
        }
        for (String remote : new String[] {"10.0.0.7", "192.168.1.20", "172.16.0.1", "8.8.8.8", "::2", "fe80::1",
                "128.0.0.1", "127.0.0", "127.0.0.1.5", "127.0.0.300", "localhost", "", "::ffff:10.0.0.1"}) {
            assertFalse(OperatorPolicy.mayOperate(false, Set.of(), remote, false), remote);
        }
        assertFalse(OperatorPolicy.mayOperate(false, Set.of(), null, false));
    }

    @Test
    void aProxiedRequestIsNeverLoopbackEvenFromALocalProxy() {
        assertFalse(OperatorPolicy.mayOperate(false, Set.of(), "127.0.0.1", true));
    }

    @Test
    void withSecurityOnTheOperatorRoleDecidesWhereverTheRequestComesFrom() {
        assertTrue(OperatorPolicy.mayOperate(true, Set.of("operator"), "10.0.0.7", true));
        assertFalse(OperatorPolicy.mayOperate(true, Set.of("user"), "127.0.0.1", false));
        assertFalse(OperatorPolicy.mayOperate(true, Set.of(), "127.0.0.1", false));
    }
}
